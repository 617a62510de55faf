package api

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
)

// DevMailbox is the development mail catcher's store.
type DevMailbox interface {
	Messages() []mailcatcher.Message
}

// devMailJSON serves every caught email, newest last.
func devMailJSON(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.JSON(http.StatusOK, box.Messages())
	}
}

var devMailPage = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Development mailbox – Staff Passport</title>
<style>
body{font-family:Arial,sans-serif;margin:0;color:#212b32;background:#f0f4f5}
header{background:#005eb8;color:#fff;padding:16px 24px}
main{max-width:960px;margin:0 auto;padding:24px}
article{background:#fff;border-left:4px solid #005eb8;margin:0 0 16px;padding:16px 24px}
h1{margin:0;font-size:1.5rem} h2{font-size:1.2rem;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 12px}
dt{font-weight:bold} dd{margin:0}
pre{white-space:pre-wrap;font-family:inherit;margin:0 0 12px}
a{color:#005eb8} a:focus{background:#ffeb3b;outline:3px solid #212b32}
</style>
</head>
<body>
<header><h1>Development mailbox</h1></header>
<main>
<p>Every email the service has sent in development mode, newest first ({{len .}} in all). The same list is at <a href="/dev/mail.json">/dev/mail.json</a>.</p>
{{range .}}<article>
<h2>{{.Subject}}</h2>
<dl><dt>To</dt><dd>{{.To}}</dd><dt>Sent</dt><dd>{{.SentAt.Format "2 Jan 2006 15:04:05 MST"}}</dd></dl>
<pre>{{.Text}}</pre>
{{if .Links}}<ul>{{range .Links}}<li><a href="{{.}}">{{.}}</a></li>{{end}}</ul>{{end}}
</article>
{{else}}<p>No email has been sent yet.</p>
{{end}}</main>
</body>
</html>
`))

// devMailHTML shows every caught email, newest first, links clickable.
func devMailHTML(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		msgs := box.Messages()
		slices.Reverse(msgs)
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		if err := devMailPage.Execute(c.Writer, msgs); err != nil {
			_ = c.Error(err)
		}
	}
}
