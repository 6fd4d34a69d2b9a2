package plotting

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// smallFigure returns a small weight map.
func smallFigure(t *testing.T) *Figure {
	t.Helper()
	f, err := WeightMap(LayerWeights{Title: "even", Accuracy: 0.99, Layers: [][]float64{{0.5, -1, 0.25}, {2, -0.5}}}, WeightMapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSaveFormats(t *testing.T) {
	dir := t.TempDir()
	f := smallFigure(t)
	for _, dpi := range []int{0, 150} {
		f.DPI = dpi
		path := filepath.Join(dir, "fig.PNG") // extension is case-insensitive
		if err := f.Save(path); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("DPI %d: saved PNG does not decode: %v", dpi, err)
		}
		d := dpi
		if d == 0 {
			d = DefaultDPI
		}
		wantW := int(float64(f.Width)/float64(vg.Inch)*float64(d) + 0.5)
		wantH := int(float64(f.Height)/float64(vg.Inch)*float64(d) + 0.5)
		if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
			t.Errorf("DPI %d: PNG is %d×%d, want %d×%d", dpi, b.Dx(), b.Dy(), wantW, wantH)
		}
		if w, h := f.PixelSize(); w != wantW || h != wantH {
			t.Errorf("PixelSize = %d×%d, want %d×%d", w, h, wantW, wantH)
		}
		if !hasInk(img) {
			t.Errorf("DPI %d: PNG is blank", dpi)
		}
	}
	f.DPI = 0

	svgPath := filepath.Join(dir, "fig.svg")
	if err := f.Save(svgPath); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(svgPath)
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte(`width="576pt"`)) {
		t.Errorf("SVG lacks an <svg> element 576pt wide: %.200s", svg)
	}
	pdfPath := filepath.Join(dir, "fig.pdf")
	if err := f.Save(pdfPath); err != nil {
		t.Fatal(err)
	}
	pdf, _ := os.ReadFile(pdfPath)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 1000 {
		t.Errorf("PDF output is not a PDF document (%d bytes)", len(pdf))
	}

	bad := filepath.Join(dir, "fig.jpg")
	err := f.Save(bad)
	if err == nil || !strings.Contains(err.Error(), "unknown image format") {
		t.Errorf("Save(.jpg) error = %v, want an unknown-format error", err)
	}
	if _, statErr := os.Stat(bad); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("Save(.jpg) created a file")
	}
	if err := f.Save(filepath.Join(dir, "noext")); err == nil {
		t.Errorf("Save without extension: no error")
	}
	if err := f.Encode(io.Discard, "gif"); err == nil {
		t.Errorf("Encode(gif): no error")
	}
}

// hasInk reports whether img has a pixel that is not white.
func hasInk(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xF000 || g < 0xF000 || bl < 0xF000 {
				return true
			}
		}
	}
	return false
}

func TestDeterministic(t *testing.T) {
	for _, format := range Formats() {
		a, err := encode(smallFigure(t), format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := encode(smallFigure(t), format)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same figure differ", format)
		}
	}
}

func TestHelpers(t *testing.T) {
	f := smallFigure(t)
	p, err := PNG(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p))
	if err != nil || format != "png" {
		t.Fatalf("PNG() output: format %q, err %v", format, err)
	}
	if w, h := f.PixelSize(); cfg.Width != w || cfg.Height != h {
		t.Errorf("PNG() is %d×%d, want %d×%d", cfg.Width, cfg.Height, w, h)
	}
	s, err := SVG(f)
	if err != nil || !bytes.Contains(s, []byte("<svg")) {
		t.Errorf("SVG(): err %v, %d bytes", err, len(s))
	}
	if _, err := PNG(nil); err == nil {
		t.Errorf("PNG(nil): no error")
	}
}

func TestValidate(t *testing.T) {
	good := smallFigure(t)
	other := smallFigure(t)
	cases := map[string]*Figure{
		"zero width":    {Width: 0, Height: 100, Panels: good.Panels},
		"negative DPI":  {Width: 100, Height: 100, DPI: -1, Panels: good.Panels},
		"no panels":     {Width: 100, Height: 100},
		"nil panel":     {Width: 100, Height: 100, Panels: []*Panel{nil}},
		"nil plot":      {Width: 100, Height: 100, Panels: []*Panel{{Name: "x", Region: Full}}},
		"bad region":    {Width: 100, Height: 100, Panels: []*Panel{{Name: "x", Plot: plot.New(), Region: Region{0.5, 0, 0.4, 1}}}},
		"foreign align": {Width: 100, Height: 100, Panels: []*Panel{{Name: "x", Plot: plot.New(), Region: Full, AlignY: other.Panels[0]}}},
		"huge PNG":      {Width: 1000 * vg.Inch, Height: 100, Panels: good.Panels},
	}
	for name, f := range cases {
		if _, err := PNG(f); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := good.Validate(); err != nil {
		t.Errorf("valid figure: %v", err)
	}
}

// panicker is a plotter that panics when drawn.
type panicker struct{}

func (panicker) Plot(draw.Canvas, *plot.Plot) { panic("boom") }

func TestDrawPanicIsError(t *testing.T) {
	p := plot.New()
	p.Add(panicker{})
	f := &Figure{Width: 2 * vg.Inch, Height: 2 * vg.Inch, Panels: []*Panel{{Name: "p", Plot: p, Region: Full}}}
	_, err := PNG(f)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("error = %v, want the panic turned into an error", err)
	}
}

func TestTile(t *testing.T) {
	a, b, c := smallFigure(t), smallFigure(t), smallFigure(t)
	b.DPI = 120
	f, err := Tile(2, a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if f.Width != 2*a.Width || f.Height != 2*a.Height || f.DPI != 120 {
		t.Errorf("tiled size %v×%v DPI %d, want %v×%v DPI 120", f.Width, f.Height, f.DPI, 2*a.Width, 2*a.Height)
	}
	if len(f.Panels) != 6 {
		t.Fatalf("%d panels, want 6", len(f.Panels))
	}
	w2 := f.Panel("2:weights")
	if w2 == nil {
		t.Fatal("no panel 2:weights")
	}
	// The third figure is bottom-left.
	if w2.Region.X0 != 0 || w2.Region.Y0 != 0 || w2.Region.Y1 != 0.5 {
		t.Errorf("2:weights region %+v, want the bottom-left cell", w2.Region)
	}
	if bar := f.Panel("2:colorbar"); bar == nil || bar.AlignY != w2 {
		t.Errorf("2:colorbar is not aligned with 2:weights")
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}
	if _, err := Tile(0, a); err == nil {
		t.Error("Tile(0): no error")
	}
	if _, err := Tile(1); err == nil {
		t.Error("Tile of nothing: no error")
	}
}

func TestShowOutsideNotebook(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	showErr := Show(smallFigure(t))
	nilErr := Show(nil)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if !errors.Is(showErr, ErrNotNotebook) {
		t.Errorf("Show outside a notebook = %v, want ErrNotNotebook", showErr)
	}
	if nilErr == nil || errors.Is(nilErr, ErrNotNotebook) {
		t.Errorf("Show(nil) = %v, want a validation error", nilErr)
	}
	if len(out) != 0 {
		t.Errorf("Show printed %q to stdout", out)
	}
}
