package models

import "strings"

// SpreadsheetCell keeps a cell from being read as a formula by a spreadsheet: a
// reason may quote what was uploaded.
func SpreadsheetCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
