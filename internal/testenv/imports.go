package testenv

// SmallImport is a credentials import of four rows: a DBS check, training
// under a trust's own course name and under the national code, and a row
// with a bad address.
const SmallImport = `email,given_name,family_name,type,level,certificate_number,issued_on,update_service,subject,completed_on,provider
ana.silva@nhs.net,Ana,Silva,dbs_check,standard,001234567890,2026-01-10,no,,,
ana.silva@nhs.net,Ana,Silva,core_skills_training,,,,,Mandatory Fire Warden,2026-05-01,Estates team
ana.silva@nhs.net,Ana,Silva,core_skills_training,2,,,,NHS|CSTF|Resuscitation - Level 2|,2026-05-01,e-LfH
bad-address,Bo,Li,dbs_check,standard,001234567890,2026-01-10,no,,,
`
