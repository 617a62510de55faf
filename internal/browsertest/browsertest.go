// Package browsertest drives Debian's Chromium from tests with chromedp:
// every page a test visits can be checked with axe-core for accessibility
// and saved as a screenshot for a reviewer, and every request the browser
// makes is checked to stay on the server under test.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (see AXE_CORE_VERSION and AXE_CORE_LICENSE),
// refreshed by scripts/refresh-assets.
//
//go:embed axe.min.js
var axeSource string

// Chromium finds the browser: $PASSPORT_CHROMIUM, then chromium on PATH.
// scripts/test installs Debian's chromium when it is missing.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PASSPORT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: run scripts/test, which installs Debian's chromium, or set PASSPORT_CHROMIUM")
	return ""
}

// Browser is one headless Chromium for a test.
type Browser struct {
	t       testing.TB
	root    context.Context
	origin  string
	shots   string
	mu      sync.Mutex
	foreign []string
	errors  []string
}

// Tab is one browsing context (its own cookies) in the browser.
type Tab struct {
	b   *Browser
	ctx context.Context
}

// New starts Chromium for pages served at origin (scheme://host:port).
// Screenshots go to ScreenshotDir(t).
func New(t testing.TB, origin string) *Browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	b := &Browser{t: t, root: root, origin: strings.TrimRight(origin, "/"), shots: ScreenshotDir(t)}
	if err := chromedp.Do(root); err != nil { // starts the browser
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc()
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.foreign) > 0 {
			t.Errorf("pages loaded things from outside the server: %s", strings.Join(b.foreign, ", "))
		}
		if len(b.errors) > 0 {
			t.Errorf("pages raised script errors: %s", strings.Join(b.errors, "; "))
		}
	})
	return b
}

// ScreenshotDir is where screenshots go: $PASSPORT_TEST_OUTPUT/screenshots
// when set (scripts/test sets it to test-output/ in the repository),
// otherwise a directory of the test's own.
func ScreenshotDir(t testing.TB) string {
	dir := filepath.Join(t.TempDir(), "screenshots")
	if out := os.Getenv("PASSPORT_TEST_OUTPUT"); out != "" {
		dir = filepath.Join(out, "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	return dir
}

// NewTab opens a tab with its own cookies, as a different person would
// have.
func (b *Browser) NewTab() *Tab {
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	tab := &Tab{b: b, ctx: ctx}
	// The first run makes the tab, which lives as long as that run's
	// context: so no timeout on it.
	err := chromedp.Do(ctx, chromedp.Func(func(_ context.Context, t *chromedp.Target) error {
		setup, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if _, err := cdp.Call(setup, t, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil { // to inject axe
			return err
		}
		go b.watch(ctx, t)
		return nil
	}))
	if err != nil {
		b.t.Fatalf("open a tab: %v", err)
	}
	return tab
}

// watch records requests that leave the server and uncaught script errors.
func (b *Browser) watch(ctx context.Context, t *chromedp.Target) {
	go func() {
		for ev, err := range cdp.Events(ctx, t, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.errors = append(b.errors, ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails))
			b.mu.Unlock()
		}
	}()
	for ev, err := range cdp.Events(ctx, t, network.RequestWillBeSent) {
		if err != nil {
			return
		}
		u := ev.Request.URL
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") || strings.HasPrefix(u, b.origin+"/") || u == b.origin {
			continue
		}
		b.mu.Lock()
		b.foreign = append(b.foreign, u)
		b.mu.Unlock()
	}
}

func describe(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.URL
}

// Do runs actions, failing the test on error (each step within a minute).
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.b.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(tab.ctx, chromedp.Location())
		tab.b.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// Fatalf fails the test with the page's text, for a step that went wrong.
func (tab *Tab) Fatalf(format string, args ...any) {
	tab.b.t.Helper()
	body, _ := chromedp.Run(tab.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	tab.b.t.Fatalf(format+"\npage reads:\n%s", append(args, body)...)
}

// Open navigates to a path on the server.
func (tab *Tab) Open(path string) {
	tab.b.t.Helper()
	tab.Do(chromedp.Navigate(tab.b.origin + path))
}

// Text returns the visible text of the first element matching the CSS
// selector.
func (tab *Tab) Text(sel string) string {
	tab.b.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tab.b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Eval evaluates a JavaScript expression and returns its value.
func Eval[T any](tab *Tab, expr string) T {
	tab.b.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// TryEval evaluates a JavaScript expression, returning an error instead
// of failing the test (while a page loads, for instance).
func TryEval[T any](tab *Tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// Path is the current page's path and query.
func (tab *Tab) Path() string {
	tab.b.t.Helper()
	loc, err := chromedp.Run(tab.ctx, chromedp.Location())
	if err != nil {
		tab.b.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tab.b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// WaitText waits until the element's text contains want.
func (tab *Tab) WaitText(sel, want string, within time.Duration) {
	tab.b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](
			fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)))
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			tab.b.t.Fatalf("%s did not come to contain %q within %s; it reads %q", sel, want, within, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []json.RawMessage `json:"passes"`
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// Check runs axe-core on the page against WCAG 2.2 A and AA, fails the test
// on any violation, and saves a screenshot named after the page. It returns
// the screenshot's path.
func (tab *Tab) Check(name string) string {
	tab.b.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`(async () => {
		if (!window.axe) { eval(`+jsString(axeSource)+`) }
		return await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, resultTypes: ['violations']})
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.b.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range res.Violations {
		for _, n := range v.Nodes {
			tab.b.t.Errorf("axe on %s (%s): %s [%s, %s] at %v: %s", name, tab.Path(), v.Help, v.ID, v.Impact, n.Target, n.HTML)
		}
	}
	if len(res.Passes) == 0 && len(res.Violations) == 0 {
		// resultTypes keeps only violations' nodes, but axe still lists the rules it passed.
		tab.b.t.Fatalf("axe on %s ran no rules", name)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.b.t.Fatalf("screenshot of %s: %v", name, err)
	}
	file := filepath.Join(tab.b.shots, unsafeName.ReplaceAllString(strings.ToLower(name), "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tab.b.t.Fatalf("screenshot of %s: %v", name, err)
	}
	return file
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
