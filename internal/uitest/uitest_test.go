package uitest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"
)

const (
	envGate      = "DENOTATION_UITEST"
	envChromium  = "DENOTATION_CHROMIUM"
	envNotebooks = "DENOTATION_UITEST_NOTEBOOKS"
	notebook03   = "03-single-neuron-denotation.ipynb"
	// budget bounds the whole test; it stays below `go test -timeout` so that a hang ends in
	// t.Fatal and the cleanups (server, kernel, browser) run.
	budget = 6 * time.Minute
)

// ui is a browser page of the test (bound to its deadline), with the folder for screenshots.
type ui struct {
	t     *testing.T
	page  *rod.Page
	shots string
	n     *int // screenshots taken, by every page of the test
}

func TestNotebookUI(t *testing.T) {
	if os.Getenv(envGate) != "1" {
		t.Skipf("UI test skipped: set %s=1 to drive headless Chromium against the Jupyter UI (make uitest)", envGate)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	t.Cleanup(cancel)
	root := repoRoot(t)
	chromium := findChromium(t)
	gobin := goEnv(t, "GOPATH") + "/bin"
	for _, tool := range []string{"gonb", "goimports", "gopls"} {
		if _, err := os.Stat(filepath.Join(gobin, tool)); err != nil {
			t.Fatalf("%s not in %s (make setup installs it)", tool, gobin)
		}
	}
	shots, err := os.MkdirTemp("", "denotation-uitest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	work := t.TempDir()
	nb03 := filepath.Join(root, "notebooks", notebook03)
	guardFile(t, nb03)
	guardAbsent(t, filepath.Join(root, "notebooks", ".ipynb_checkpoints"))

	srv := startJupyter(ctx, t, work, map[string]string{
		"PATH":                  gobin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"DENOTATION_QUICK":      "1",
		"DENOTATION_FIGURES":    filepath.Join(work, "figures"),
		"DENOTATION_NO_WIDGETS": "",
		// Quick mode's notebook closes the browser after 1 s without a change.
		"DENOTATION_BROWSER_IDLE": "150s",
		"GOMLX_NO_AUTO_INSTALL":   "1",
		"JUPYTER_RUNTIME_DIR":     filepath.Join(work, "runtime"),
		// GoNB's folders and named pipes (which it leaves behind when a kernel stops mid-cell).
		"TMPDIR":                         mkdir(t, filepath.Join(work, "tmp")),
		"PYDEVD_DISABLE_FILE_VALIDATION": "1",
	})

	l := launcher.New().Bin(chromium).Headless(true).NoSandbox(true).
		UserDataDir(filepath.Join(work, "chromium")).
		Set("disable-gpu").Set("disable-quic").Set("disable-component-update").
		Set("window-size", "1400,1000")
	wsURL, err := l.Launch()
	if err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	t.Cleanup(l.Kill)
	browser := rod.New().ControlURL(wsURL).Context(ctx)
	if err := browser.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = browser.Close() })

	var nShots int
	t.Run("neuron browser", func(t *testing.T) {
		testNeuronBrowser(newUI(t, ctx, browser, shots, &nShots), srv, nb03)
	})
	out := os.Getenv(envNotebooks)
	if out == "" {
		out = filepath.Join(root, "notebooks", "out")
	}
	nbs, _ := filepath.Glob(filepath.Join(out, "*.ipynb"))
	if len(nbs) == 0 {
		t.Logf("no executed notebooks in %s: their rendering is not checked", out)
	} else {
		t.Run("executed notebooks", func(t *testing.T) {
			testExecutedNotebooks(newUI(t, ctx, browser, shots, &nShots), srv, nbs)
		})
	}
	t.Logf("UI test took %s", time.Since(start).Round(time.Second))
}

func newUI(t *testing.T, ctx context.Context, b *rod.Browser, shots string, n *int) *ui {
	page, err := b.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		t.Fatal(err)
	}
	if err := page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1400, Height: 1000, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = page.Close() })
	return &ui{t: t, page: page.Context(ctx), shots: shots, n: n}
}

// testNeuronBrowser runs notebook 03 through the page and works its neuron browser.
func testNeuronBrowser(u *ui, srv *jupyterServer, nb string) {
	t := u.t
	u.open(srv.notebookURL(nb), true)
	u.eval(`() => { Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells(); return true }`, nil)
	t.Log("running notebook 03 through the page (Run All)")

	// The controls and the first story appear once the cells before have run (about 40 s).
	u.waitFor("the neuron browser's controls", 200*time.Second, `() => {
		const err = document.querySelector('.output_area .output_error');
		if (err) return 'error: ' + err.innerText.slice(0, 300);
		const fb = [...document.querySelectorAll('.output_area .output_stdout')].find(e => e.innerText.includes('no front-end answered'));
		if (fb) return 'error: the browser fell back to the static story with the page open: ' + fb.innerText.slice(0, 200);
		const d = document.querySelector('.output_area .neuron-browser');
		const ok = d && d.querySelector('select') && d.querySelector('input[type=range]') &&
			d.querySelector('button') && document.querySelector('.output_area img.neuron-story');
		return ok ? '' : 'waiting';
	}`)
	var ctl struct {
		Options []string `json:"options"`
		Max     int      `json:"max"`
	}
	u.eval(`() => {
		const d = document.querySelector('.output_area .neuron-browser');
		return {options: [...d.querySelectorAll('select option')].map(o => o.textContent),
			max: +d.querySelector('input[type=range]').max};
	}`, &ctl)
	first := u.story()
	if !strings.HasPrefix(first.Alt, "layer 1 · neuron 0 ") {
		t.Fatalf("the browser starts at %q, want layer 1 · neuron 0", first.Alt)
	}
	u.shot("03-browser-start", ".neuron-browser", "img.neuron-story")
	if len(ctl.Options) < 2 {
		t.Fatalf("the layer select offers %v, want at least two layers", ctl.Options)
	}

	// Another layer: the story must become that layer's neuron 0.
	layer := len(ctl.Options) // the last one; options are "layer L (W neurons)"
	var width int
	if _, err := fmt.Sscanf(ctl.Options[layer-1], "layer %d (%d neurons)", new(int), &width); err != nil {
		t.Fatalf("layer option %q: %v", ctl.Options[layer-1], err)
	}
	u.eval(fmt.Sprintf(`() => { const s = document.querySelector('.output_area .neuron-browser select');
		s.value = '%d'; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return true }`, layer-1), nil)
	byLayer := u.waitStory(fmt.Sprintf("layer %d · neuron 0 ", layer), first.Src)
	u.shot("03-browser-layer", ".neuron-browser", "img.neuron-story")

	// Another neuron of that layer.
	neuron := min(5, width-1, ctl.Max)
	u.eval(fmt.Sprintf(`() => { const r = document.querySelector('.output_area .neuron-browser input[type=range]');
		r.value = '%d'; r.dispatchEvent(new Event('input')); r.dispatchEvent(new Event('change')); return true }`, neuron), nil)
	last := u.waitStory(fmt.Sprintf("layer %d · neuron %d ", layer, neuron), byLayer.Src)
	u.shot("03-browser-neuron", ".neuron-browser", "img.neuron-story")
	t.Logf("the browser showed %q, then %q, then %q", first.Alt, byLayer.Alt, last.Alt)

	// Done: the program ends, the controls go, and the last story stays as the cell's figure.
	u.eval(`() => { document.querySelector('.output_area .neuron-browser button').click(); return true }`, nil)
	u.waitFor("the kernel to finish every cell", 60*time.Second, `() => {
		const nb = Jupyter.notebook;
		const running = nb.get_cells().filter(c => c.cell_type === 'code' &&
			(c.input_prompt_number === '*' || (c.get_text().trim() !== '' && c.input_prompt_number === undefined)));
		if (running.length > 0 || nb.kernel_busy) return 'running: ' + running.length;
		return document.querySelector('#kernel_indicator_icon.kernel_idle_icon') ? '' : 'kernel not idle';
	}`)
	var end struct {
		Controls int      `json:"controls"`
		Live     int      `json:"live"`
		PNGs     []string `json:"pngs"`
		Text     string   `json:"text"`
		Rendered int      `json:"rendered"`
	}
	u.eval(`() => {
		const cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code');
		const c = cells.find(x => x.get_text().includes('NeuronBrowser('));
		c.element[0].classList.add('neuron-browser-cell');
		const outs = c.output_area.outputs;
		return {
			controls: document.querySelectorAll('.neuron-browser').length,
			live: document.querySelectorAll('img.neuron-story').length,
			pngs: outs.filter(o => o.data && o.data['image/png']).map(o => o.data['image/png']),
			text: outs.filter(o => o.output_type === 'stream').map(o => o.text).join(''),
			rendered: [...c.output_area.element[0].querySelectorAll('img')].filter(i => i.complete && i.naturalWidth > 0).length,
		};
	}`, &end)
	u.shot("03-browser-done", ".neuron-browser-cell .output_wrapper")
	if end.Controls != 0 || end.Live != 0 {
		t.Errorf("after Done: %d control blocks and %d live stories remain, want none", end.Controls, end.Live)
	}
	lastPNG := strings.TrimPrefix(last.Src, "data:image/png;base64,")
	if len(end.PNGs) != 1 || end.PNGs[0] != lastPNG {
		t.Errorf("after Done the browser cell holds %d PNG figures; want one, the last story shown (%q)", len(end.PNGs), last.Alt)
	}
	if end.Rendered < 1 {
		t.Error("after Done the browser cell's figure is not rendered")
	}
	title, _, _ := strings.Cut(last.Alt, "\n")
	if !strings.Contains(end.Text, title) {
		t.Errorf("the browser cell printed %q, want the last story's title %q", end.Text, title)
	}
	u.checkNoErrors("notebook 03")
}

// testExecutedNotebooks opens each executed notebook (no kernel: the page's session requests are
// blocked) and checks that every figure output is rendered as an image and that no cell shows an error.
func testExecutedNotebooks(u *ui, srv *jupyterServer, nbs []string) {
	t := u.t
	if err := (proto.NetworkEnable{}).Call(u.page); err != nil {
		t.Fatal(err)
	}
	if err := (proto.NetworkSetBlockedURLs{Urls: []string{"*/api/sessions*"}}).Call(u.page); err != nil {
		t.Fatal(err)
	}
	for _, nb := range nbs {
		name := strings.TrimSuffix(filepath.Base(nb), ".ipynb")
		u.open(srv.notebookURL(nb), false)
		// Long outputs are shown in a scrolled box: unfold them, for the screenshots.
		u.eval(`() => { Jupyter.notebook.get_cells().forEach(c => c.output_area && c.output_area.unscroll_area()); return true }`, nil)
		var res struct {
			Figures int      `json:"figures"`
			Bad     []string `json:"bad"`
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			u.eval(`() => {
				const res = {figures: 0, bad: []};
				const isFig = o => o.data && (o.data['image/png'] || o.data['image/jpeg'] || o.data['image/svg+xml'] ||
					/<img|<svg/.test([].concat(o.data['text/html'] || []).join('')));
				Jupyter.notebook.get_cells().forEach((c, i) => {
					if (c.cell_type !== 'code') return;
					const areas = c.output_area.element[0].querySelectorAll(':scope > .output_area');
					c.output_area.outputs.forEach((o, k) => {
						if (o.output_type === 'error') res.bad.push('cell ' + i + ': error ' + o.ename + ': ' + o.evalue);
						if (o.output_type === 'stream' && o.name === 'stderr' && /panic|error/i.test(o.text))
							res.bad.push('cell ' + i + ': stderr ' + o.text.slice(0, 200));
						if (!isFig(o)) return;
						res.figures++;
						const a = areas[k];
						const imgs = a ? [...a.querySelectorAll('img')] : [];
						const svgs = a ? [...a.querySelectorAll('svg')] : [];
						const ok = (imgs.length > 0 && imgs.every(im => im.complete && im.naturalWidth > 0)) ||
							svgs.some(s => s.getBoundingClientRect().width > 0);
						if (!ok) res.bad.push('cell ' + i + ' output ' + k + ': figure not rendered (' +
							imgs.length + ' img, ' + svgs.length + ' svg, text: ' + (a ? a.innerText.slice(0, 80) : 'no output area') + ')');
					});
				});
				if (document.querySelector('.output_error')) res.bad.push('an error output is shown');
				return res;
			}`, &res)
			if len(res.Bad) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Second) // images still decoding
		}
		u.shot("out-"+name, ".output_area img")
		if res.Figures == 0 {
			t.Errorf("%s: no figure output", name)
		}
		for _, b := range res.Bad {
			t.Errorf("%s: %s", name, b)
		}
		if len(res.Bad) == 0 {
			t.Logf("%s: %d figures rendered", name, res.Figures)
		}
		if filepath.Base(nb) == notebook03 {
			checkHeadlessBrowser(u, name)
		}
	}
}

// checkHeadlessBrowser checks the neuron browser's cell of an executed notebook 03: run headless
// (nbconvert), it noticed that no front-end answered (quick runs), or was told so by
// $DENOTATION_NO_WIDGETS (full runs), and left the static story with a note saying which.
func checkHeadlessBrowser(u *ui, name string) {
	var cell struct {
		Text string `json:"text"`
		PNGs int    `json:"pngs"`
	}
	u.eval(`() => {
		const cells = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code');
		const outs = cells.find(x => x.get_text().includes('NeuronBrowser(')).output_area.outputs;
		return {text: outs.filter(o => o.output_type === 'stream').map(o => o.text).join(''),
			pngs: outs.filter(o => o.data && o.data['image/png']).length};
	}`, &cell)
	noted := strings.Contains(cell.Text, "neuron browser: no front-end answered") ||
		strings.Contains(cell.Text, "neuron browser: widgets off")
	if !noted || cell.PNGs != 1 {
		u.t.Errorf("%s: the neuron browser's cell should hold the headless fallback's note and one figure; it has %d PNG figures and the text %q",
			name, cell.PNGs, cell.Text)
	}
}

// open loads a notebook page and waits until the notebook (and, when withKernel, its kernel) is
// ready. The notebook is never saved from the page: the test must leave the repository as it was.
func (u *ui) open(url string, withKernel bool) {
	u.t.Helper()
	if err := u.page.Navigate(url); err != nil {
		u.t.Fatalf("opening %s: %v", url, err)
	}
	cond := `Jupyter.notebook._fully_loaded`
	if withKernel {
		cond += ` && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()`
	}
	u.waitFor("the notebook page", 60*time.Second, `() => (window.Jupyter && Jupyter.notebook && `+cond+`) ? '' : 'loading'`)
	u.eval(`() => {
		const nb = Jupyter.notebook;
		nb.set_autosave_interval(0);
		nb.save_notebook = () => Promise.resolve();
		nb.save_checkpoint = () => {};
		window.onbeforeunload = null;
		return true;
	}`, nil)
}

type story struct {
	Alt string `json:"alt"`
	Src string `json:"src"`
}

// story returns the live story image of the neuron browser.
func (u *ui) story() story {
	u.t.Helper()
	var s story
	u.eval(`() => { const i = document.querySelector('.output_area img.neuron-story');
		return i ? {alt: i.alt, src: i.src} : {alt: '', src: ''} }`, &s)
	return s
}

// waitStory waits until the live story is titled prefix… and its image is not notSrc.
func (u *ui) waitStory(prefix, notSrc string) story {
	u.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := u.story()
		if strings.HasPrefix(s.Alt, prefix) && s.Src != notSrc && strings.HasPrefix(s.Src, "data:image/png;base64,") {
			if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s.Src, "data:image/png;base64,")); err != nil {
				u.t.Fatalf("story image: %v", err)
			}
			return s
		}
		if time.Now().After(deadline) {
			u.shot("FAILED-story", "")
			u.t.Fatalf("the story did not change to %q… within 60 s; it shows %q (image changed: %v)", prefix, s.Alt, s.Src != notSrc)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitFor polls js (a function returning ” when done, else what it is waiting for) until done.
func (u *ui) waitFor(what string, limit time.Duration, js string) {
	u.t.Helper()
	deadline := time.Now().Add(limit)
	var state string
	for {
		u.eval(js, &state)
		if state == "" {
			return
		}
		if strings.HasPrefix(state, "error") {
			u.shot("FAILED-wait", "")
			u.t.Fatalf("waiting for %s: %s", what, state)
		}
		if time.Now().After(deadline) {
			u.shot("FAILED-wait", "")
			u.t.Fatalf("waiting for %s: gave up after %s (%s)", what, limit, state)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// eval runs js (a function) in the page and decodes its result into out (when not nil).
func (u *ui) eval(js string, out any) {
	u.t.Helper()
	res, err := u.page.Eval(js)
	if err != nil {
		u.t.Fatalf("in the page: %v\n%s", err, js)
	}
	if out == nil {
		return
	}
	b, err := json.Marshal(res.Value)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		u.t.Fatalf("decoding %s: %v", b, err)
	}
}

// checkNoErrors fails the test if a cell of the page shows an error.
func (u *ui) checkNoErrors(what string) {
	u.t.Helper()
	var bad []string
	u.eval(`() => {
		const bad = [];
		Jupyter.notebook.get_cells().forEach((c, i) => {
			if (c.cell_type !== 'code') return;
			c.output_area.outputs.forEach(o => {
				if (o.output_type === 'error') bad.push('cell ' + i + ': ' + o.ename + ': ' + o.evalue);
				if (o.output_type === 'stream' && o.name === 'stderr' && /panic|error/i.test(o.text)) bad.push('cell ' + i + ': ' + o.text.slice(0, 300));
			});
		});
		return bad;
	}`, &bad)
	for _, b := range bad {
		u.t.Errorf("%s: %s", what, b)
	}
}

// shot saves a screenshot: of the first element matching one of the selectors that exists (scrolled
// into view), else of the viewport.
func (u *ui) shot(name string, selectors ...string) {
	*u.n++
	path := filepath.Join(u.shots, fmt.Sprintf("%02d-%s.png", *u.n, name))
	var png []byte
	var err error
	for _, sel := range selectors {
		if sel == "" {
			continue
		}
		var has bool
		u.eval(fmt.Sprintf(`() => !!document.querySelector(%q)`, sel), &has)
		if !has {
			continue
		}
		// The block around the element: its cell, when it has one.
		u.eval(fmt.Sprintf(`() => { document.querySelectorAll('.uitest-shot').forEach(e => e.classList.remove('uitest-shot'));
			const e = document.querySelector(%q); (e.closest('.cell') || e).classList.add('uitest-shot'); return true }`, sel), nil)
		el, e := u.page.Element(".uitest-shot")
		if e != nil {
			continue
		}
		if png, err = el.Screenshot(proto.PageCaptureScreenshotFormatPng, 0); err == nil {
			break
		}
	}
	if png == nil {
		png, err = u.page.Screenshot(false, nil)
	}
	if err != nil {
		u.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Logf("screenshot %s: %v", name, err)
		return
	}
	u.t.Logf("screenshot: %s", path)
}

// guardFile fails the test, and restores the file, if the test changed it.
func guardFile(t *testing.T, path string) {
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		after, err := os.ReadFile(path)
		if err == nil && bytes.Equal(before, after) {
			return
		}
		t.Errorf("%s was changed by the UI test; restored", path)
		_ = os.WriteFile(path, before, 0o644)
	})
}

// guardAbsent removes path after the test if it did not exist before.
func guardAbsent(t *testing.T, path string) {
	if _, err := os.Stat(path); err == nil {
		return
	}
	t.Cleanup(func() { _ = os.RemoveAll(path) })
}

func mkdir(t *testing.T, dir string) string {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no source path")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func findChromium(t *testing.T) string {
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium on PATH (make setup installs Debian's; or set %s)", envChromium)
	return ""
}

func goEnv(t *testing.T, key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}
