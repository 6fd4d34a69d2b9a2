package plotting

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"git.sr.ht/~sbinet/gg"
	xdraw "golang.org/x/image/draw"

	"github.com/denotation-go/denotation/internal/atomicfile"
	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DefaultDPI is the PNG resolution used when Figure.DPI is zero: 96 dots per inch, so a figure
// 8 inches wide is 768 pixels wide.
const DefaultDPI = 96

// maxPixels bounds each side of a rendered PNG, so that a wrong size gives an error, not an
// allocation of many gigabytes.
const maxPixels = 20000

// Figure is a finished picture: one or more panels (each a *plot.Plot) laid out on a page of
// Width × Height. Every constructor of this package returns a *Figure; Tile puts several side by side.
//
// Invariants (checked by Validate, and so by every rendering method): Width and Height are > 0
// and finite; DPI ≥ 0; there is at least one panel; every panel has a Plot and a Region inside the
// unit square; a panel's AlignY, when set, is an earlier panel of the same figure.
//
// Rendering the same figure twice gives the same bytes, in every format. A Figure must not be
// rendered from two goroutines at once (gonum/plot's plots are not safe for that).
type Figure struct {
	// Width and Height are the size of the page (use vg.Inch, vg.Centimeter, vg.Points).
	Width, Height vg.Length

	// DPI is the resolution of PNG output in dots per inch; 0 means DefaultDPI.
	// The PNG is round(Width/inch·DPI) × round(Height/inch·DPI) pixels.
	DPI int

	// Panels are drawn in order, each in its Region of the page.
	Panels []*Panel
}

// Panel is one plot of a Figure, with what was put into it.
//
// gonum's plot.Plot does not let one read back its plotters or legend, so the constructors of
// this package record them here: Plotters in the order they were added to Plot, Legend the legend
// entries' names in order. Tests and callers can inspect them (type-assert a Plotter to
// *plotter.HeatMap, *plotter.YErrorBars, …); changing them after construction does not change the
// drawing, changing Plot does.
type Panel struct {
	// Name identifies the panel within its figure, e.g. "weights" or "colorbar".
	// Tile prefixes names with the tile index: "0:weights", "1:weights", ….
	Name string

	// Plot is drawn in Region.
	Plot *plot.Plot

	// Plotters are the plotters added to Plot, in order.
	Plotters []plot.Plotter

	// Legend are the names of Plot's legend entries, in order.
	Legend []string

	// Region is where the panel goes, in fractions of the page (origin bottom-left).
	Region Region

	// AlignY, when set, stretches this panel vertically at drawing time so that its data area spans
	// exactly the heights of AlignY's data area (a colour bar next to its heat map).
	AlignY *Panel

	// Aspect, when > 0, shrinks the panel at drawing time so that its data area has this width to
	// height ratio (square pixels of an image): the height is reduced evenly at top and bottom, or
	// the width from the left.
	Aspect float64

	// DataWidth, when > 0, narrows the panel from the right at drawing time so that its data area
	// is exactly DataWidth wide (a colour bar of fixed width, whatever its tick labels).
	DataWidth vg.Length
}

// Region is a rectangle in fractions of a page: X0 ≤ x ≤ X1, Y0 ≤ y ≤ Y1 with (0,0) the bottom-left
// corner and (1,1) the top-right corner. A valid Region has 0 ≤ X0 < X1 ≤ 1 and 0 ≤ Y0 < Y1 ≤ 1.
type Region struct {
	X0, Y0, X1, Y1 float64
}

// Full is the Region covering the whole page.
var Full = Region{0, 0, 1, 1}

func (r Region) valid() bool {
	return r.X0 >= 0 && r.X0 < r.X1 && r.X1 <= 1 && r.Y0 >= 0 && r.Y0 < r.Y1 && r.Y1 <= 1
}

// within maps r, given in fractions of outer, to fractions of the page outer is a region of.
func (r Region) within(outer Region) Region {
	w, h := outer.X1-outer.X0, outer.Y1-outer.Y0
	return Region{
		X0: outer.X0 + r.X0*w, X1: outer.X0 + r.X1*w,
		Y0: outer.Y0 + r.Y0*h, Y1: outer.Y0 + r.Y1*h,
	}
}

// newPanel appends a panel with a new styled plot to f and returns it.
func (f *Figure) newPanel(name string, region Region) *Panel {
	p := &Panel{Name: name, Plot: newPlot(), Region: region}
	f.Panels = append(f.Panels, p)
	return p
}

// add adds plotters to the panel's plot and records them.
func (p *Panel) add(ps ...plot.Plotter) {
	p.Plot.Add(ps...)
	p.Plotters = append(p.Plotters, ps...)
}

// legend adds a legend entry to the panel's plot and records its name.
func (p *Panel) legend(name string, thumbs ...plot.Thumbnailer) {
	p.Plot.Legend.Add(name, thumbs...)
	p.Legend = append(p.Legend, name)
}

// Panel returns the first panel called name, or nil.
func (f *Figure) Panel(name string) *Panel {
	for _, p := range f.Panels {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Validate checks the invariants documented on Figure.
func (f *Figure) Validate() error {
	if f == nil {
		return errors.New("plotting: nil figure")
	}
	if !(f.Width > 0) || !(f.Height > 0) || math.IsInf(float64(f.Width), 0) || math.IsInf(float64(f.Height), 0) {
		return fmt.Errorf("plotting: figure size %v × %v: width and height must be > 0 and finite", f.Width, f.Height)
	}
	if f.DPI < 0 {
		return fmt.Errorf("plotting: figure DPI %d: must be ≥ 0 (0 means %d)", f.DPI, DefaultDPI)
	}
	if len(f.Panels) == 0 {
		return errors.New("plotting: figure has no panels")
	}
	seen := make(map[*Panel]bool, len(f.Panels))
	for i, p := range f.Panels {
		switch {
		case p == nil:
			return fmt.Errorf("plotting: figure panel %d is nil", i)
		case p.Plot == nil:
			return fmt.Errorf("plotting: figure panel %d (%q) has no plot", i, p.Name)
		case !p.Region.valid():
			return fmt.Errorf("plotting: figure panel %d (%q) region %+v is not inside the unit square", i, p.Name, p.Region)
		case p.AlignY != nil && !seen[p.AlignY]:
			return fmt.Errorf("plotting: figure panel %d (%q) is aligned with a panel that is not an earlier panel of the figure", i, p.Name)
		case math.IsNaN(p.Aspect) || p.Aspect < 0 || math.IsInf(p.Aspect, 0):
			return fmt.Errorf("plotting: figure panel %d (%q) aspect %v: must be finite and ≥ 0", i, p.Name, p.Aspect)
		case p.DataWidth < 0:
			return fmt.Errorf("plotting: figure panel %d (%q) has a negative data width", i, p.Name)
		}
		seen[p] = true
	}
	return nil
}

func (f *Figure) dpi() int {
	if f.DPI == 0 {
		return DefaultDPI
	}
	return f.DPI
}

// PixelSize returns the size in pixels of the figure's PNG rendering.
func (f *Figure) PixelSize() (width, height int) {
	d := float64(f.dpi())
	return int(float64(f.Width)/float64(vg.Inch)*d + 0.5), int(float64(f.Height)/float64(vg.Inch)*d + 0.5)
}

// panelMargin is the blank border drawn inside every panel's region.
const panelMargin = 5 * vg.Length(1)

// Draw draws the figure onto c, scaled to c's rectangle: a white background, then every panel
// inside its region less a 5-point margin.
// It panics where gonum/plot does; the rendering methods (Encode, Save, PNG, SVG, PDF, Show)
// validate first and turn a panic into an error.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	canvases := make(map[*Panel]draw.Canvas, len(f.Panels))
	for _, p := range f.Panels {
		pc := c
		pc.Rectangle = vg.Rectangle{
			Min: vg.Point{X: c.Min.X + vg.Length(p.Region.X0)*w + panelMargin, Y: c.Min.Y + vg.Length(p.Region.Y0)*h + panelMargin},
			Max: vg.Point{X: c.Min.X + vg.Length(p.Region.X1)*w - panelMargin, Y: c.Min.Y + vg.Length(p.Region.Y1)*h - panelMargin},
		}
		if p.Aspect > 0 {
			own := p.Plot.DataCanvas(pc)
			dw, dh := own.Max.X-own.Min.X, own.Max.Y-own.Min.Y
			if want := dh * vg.Length(p.Aspect); dw > want {
				pc.Min.X += dw - want
			} else if want := dw / vg.Length(p.Aspect); dh > want {
				pc.Min.Y += (dh - want) / 2
				pc.Max.Y -= (dh - want) / 2
			}
		}
		if p.AlignY != nil {
			target := p.AlignY.Plot.DataCanvas(canvases[p.AlignY])
			own := p.Plot.DataCanvas(pc)
			pc.Min.Y += target.Min.Y - own.Min.Y
			pc.Max.Y += target.Max.Y - own.Max.Y
		}
		if p.DataWidth > 0 {
			own := p.Plot.DataCanvas(pc)
			if extra := (own.Max.X - own.Min.X) - p.DataWidth; extra > 0 {
				pc.Max.X -= extra
			}
		}
		canvases[p] = pc
		p.Plot.Draw(pc)
	}
}

// formats are the file formats Encode and Save write, by extension.
var formats = []string{"png", "svg", "pdf"}

// Formats returns the file formats Encode and Save write: "png", "svg", "pdf".
func Formats() []string { return append([]string(nil), formats...) }

// Encode writes the figure to w in format "png", "svg" or "pdf" (case-insensitive, a leading dot
// is allowed). Any other format is an error naming the known ones.
func (f *Figure) Encode(w io.Writer, format string) error {
	if err := f.Validate(); err != nil {
		return err
	}
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		wpx, hpx := f.PixelSize()
		if wpx < 1 || hpx < 1 || wpx > maxPixels || hpx > maxPixels {
			return fmt.Errorf("plotting: PNG of %d × %d pixels: each side must be in [1, %d] (figure %v × %v at %d DPI)",
				wpx, hpx, maxPixels, f.Width, f.Height, f.dpi())
		}
		canvas = newPNGCanvas(wpx, hpx, f.dpi())
	case "svg":
		// Embed the fonts, so that the SVG shows Liberation Sans wherever it is opened.
		canvas = vgsvg.NewWith(vgsvg.UseWH(f.Width, f.Height), vgsvg.EmbedFonts(true))
	case "pdf":
		canvas = pdfCanvas{newPDFCanvas(f.Width, f.Height)}
	default:
		return fmt.Errorf("plotting: unknown image format %q (want one of %s)", format, strings.Join(formats, ", "))
	}
	if err := drawSafely(f, draw.New(canvas)); err != nil {
		return err
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("plotting: writing %s: %w", format, err)
	}
	return nil
}

// drawSafely draws f on c, turning a panic of gonum/plot into an error.
func drawSafely(f *Figure, c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plotting: drawing figure: %v", r)
		}
	}()
	f.Draw(c)
	return nil
}

// Save writes the figure to the file path, in the format its extension names: .png (at the
// figure's DPI), .svg or .pdf. An unknown extension is an error and creates no file. The file is
// written atomically (a temporary file renamed into place), so a figure on disk is always complete.
func (f *Figure) Save(path string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if !isFormat(ext) {
		return fmt.Errorf("plotting: cannot save %q: unknown image format %q (want a .png, .svg or .pdf file)", path, filepath.Ext(path))
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, ext); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("plotting: saving figure: %w", err)
	}
	return nil
}

func isFormat(s string) bool {
	for _, f := range formats {
		if s == f {
			return true
		}
	}
	return false
}

// PNG renders fig as a PNG image at fig.DPI.
func PNG(fig *Figure) ([]byte, error) { return encode(fig, "png") }

// SVG renders fig as an SVG document.
func SVG(fig *Figure) ([]byte, error) { return encode(fig, "svg") }

// PDF renders fig as a one-page PDF document.
func PDF(fig *Figure) ([]byte, error) { return encode(fig, "pdf") }

func encode(fig *Figure, format string) ([]byte, error) {
	var buf bytes.Buffer
	if err := fig.Encode(&buf, format); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newPNGCanvas returns an image canvas of wpx × hpx pixels whose images (rasterised heat maps,
// colour bars) are scaled with nearest-neighbour interpolation, so that heat-map cells stay crisp
// (gg's default, bilinear, blurs a 28×28 image into a smudge).
func newPNGCanvas(wpx, hpx, dpi int) vgimg.PngCanvas {
	img := image.NewRGBA(image.Rect(0, 0, wpx, hpx))
	ctx := gg.NewContextForRGBA(img)
	ctx.SetInterpolator(xdraw.NearestNeighbor)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseDPI(dpi), vgimg.UseImageWithContext(img, ctx))}
}

// pdfMu serialises newPDFCanvas's use of fpdf's package-level defaults.
var pdfMu sync.Mutex

// pdfDate is the creation and modification date written into every PDF, so that the same figure
// gives the same bytes.
var pdfDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// newPDFCanvas returns a vgpdf canvas whose document has a fixed date and sorted catalogs, so the
// output is deterministic. vgpdf does not expose its fpdf document, so fpdf's package defaults are
// set while the canvas is created and then put back to fpdf's own defaults (no sort, current time).
func newPDFCanvas(w, h vg.Length) *vgpdf.Canvas {
	pdfMu.Lock()
	defer pdfMu.Unlock()
	fpdf.SetDefaultCatalogSort(true)
	fpdf.SetDefaultCreationDate(pdfDate)
	fpdf.SetDefaultModificationDate(pdfDate)
	defer func() {
		fpdf.SetDefaultCatalogSort(false)
		fpdf.SetDefaultCreationDate(time.Time{})
		fpdf.SetDefaultModificationDate(time.Time{})
	}()
	return vgpdf.New(w, h)
}

// pdfCanvas is a vgpdf canvas that writes text in the Windows-1252 encoding its fonts use
// (vgpdf passes UTF-8 through, so "ℓ" would print as "â„“"). Characters outside that code page are
// replaced by an ASCII spelling ("ℓ" → "l", "≥" → ">=", "−" → "-", "Δ" → "delta ") or "?".
type pdfCanvas struct {
	*vgpdf.Canvas
}

// FillString implements vg.Canvas.
func (c pdfCanvas) FillString(f font.Face, pt vg.Point, s string) {
	c.Canvas.FillString(f, pt, toCP1252(s))
}

// pdfSubstitutes spell characters that Windows-1252 lacks.
var pdfSubstitutes = map[rune]string{
	'ℓ': "l", '≥': ">=", '≤': "<=", '−': "-", 'Δ': "delta ", 'τ': "tau", '≠': "!=",
}

// toCP1252 returns s encoded in Windows-1252, with substitutions for the characters it lacks.
func toCP1252(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
			continue
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteByte(c)
			continue
		}
		if sub, ok := pdfSubstitutes[r]; ok {
			b.WriteString(sub)
			continue
		}
		b.WriteByte('?')
	}
	return b.String()
}

// Tile lays figures out in a grid of cols columns, row by row, into one figure. Column widths and
// row heights are the largest of the figures in that column or row; each figure is stretched to its
// cell. Panels keep their plots (they are shared, not copied) and are renamed "i:name" with i the
// figure's index in figs. The result's DPI is the largest of the figures' DPIs.
func Tile(cols int, figs ...*Figure) (*Figure, error) {
	if len(figs) == 0 {
		return nil, errors.New("plotting: Tile needs at least one figure")
	}
	if cols < 1 {
		return nil, fmt.Errorf("plotting: Tile with %d columns: need at least 1", cols)
	}
	cols = min(cols, len(figs))
	for i, f := range figs {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("plotting: Tile figure %d: %w", i, err)
		}
	}
	rows := (len(figs) + cols - 1) / cols
	colW := make([]vg.Length, cols)
	rowH := make([]vg.Length, rows)
	out := &Figure{}
	for i, f := range figs {
		r, c := i/cols, i%cols
		colW[c] = max(colW[c], f.Width)
		rowH[r] = max(rowH[r], f.Height)
		out.DPI = max(out.DPI, f.DPI)
	}
	for _, w := range colW {
		out.Width += w
	}
	for _, h := range rowH {
		out.Height += h
	}
	for i, f := range figs {
		r, c := i/cols, i%cols
		var x0, y1 vg.Length
		for j := range c {
			x0 += colW[j]
		}
		for j := range r {
			y1 += rowH[j]
		}
		cell := Region{
			X0: float64(x0 / out.Width), X1: float64((x0 + colW[c]) / out.Width),
			Y0: float64((out.Height - y1 - rowH[r]) / out.Height), Y1: float64((out.Height - y1) / out.Height),
		}
		cell = clampRegion(cell)
		renamed := make(map[*Panel]*Panel, len(f.Panels))
		for _, p := range f.Panels {
			q := *p
			q.Name = fmt.Sprintf("%d:%s", i, p.Name)
			q.Region = clampRegion(p.Region.within(cell))
			q.Plotters = append([]plot.Plotter(nil), p.Plotters...)
			q.Legend = append([]string(nil), p.Legend...)
			if p.AlignY != nil {
				q.AlignY = renamed[p.AlignY]
			}
			renamed[p] = &q
			out.Panels = append(out.Panels, &q)
		}
	}
	return out, nil
}

// clampRegion removes floating-point excursions just outside [0,1].
func clampRegion(r Region) Region {
	c := func(v float64) float64 { return math.Min(1, math.Max(0, v)) }
	return Region{c(r.X0), c(r.Y0), c(r.X1), c(r.Y1)}
}
