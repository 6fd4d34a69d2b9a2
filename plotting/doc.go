// Package plotting draws the figures of denotation with gonum/plot: observer-weight heat maps laid
// out like the network, observer-accuracy tables, a neuron's story (per-class activations, the mean
// image of its top-activating samples), label proportion against depth (F4) with the counts of
// denoting neurons, training curves and the emergence of denotation, and the ablation check.
//
// It takes plain data — slices and the small structs defined here — and never imports the
// packages under pkg/; pkg/findings builds these inputs from results.
//
// # Figures
//
// Every constructor returns a *Figure: a page of Width × Height holding one or more panels, each a
// *plot.Plot in a region of the page (a heat map and its colour bar, a plot and its legend, the
// tiles of a grid). Tile puts figures side by side. A figure is written with
//
//	fig.Save("weights.png") // .png at fig.DPI (DefaultDPI = 96), .svg or .pdf, by extension
//	data, err := plotting.PNG(fig)
//	err = plotting.Show(fig) // inline in a GoNB notebook
//
// Show sends a PNG through gonbui (PNG renders in every notebook, also untrusted ones, which drop
// SVG). Outside a notebook it prints nothing and returns ErrNotNotebook.
//
// The same figure gives the same bytes in every format. Text uses the Liberation fonts embedded in
// gonum/plot, never system fonts; SVG files embed Liberation Sans (about 0.5 MB each), and PDF
// files write text in Windows-1252, spelling out the few characters it lacks ("ℓ" as "l",
// "≥" as ">=").
//
// Each panel records what was put into it (Panel.Plotters, Panel.Legend), since gonum's plot.Plot
// does not let one read them back: tests and notebooks can check the grid values of a HeatMap, the
// series of a plot, the YErrors of error bars.
//
// # Conventions
//
//   - Hidden layers are numbered from 1 (docs/definitions.md). In network heat maps (NetworkGrid,
//     WeightMap) layer 1, nearest the input, is the bottom row, labelled "layer 1"; neurons are
//     0-based columns. Narrower layers are padded with NaN cells drawn in PaddingColor (light grey,
//     lighter than the palette's zero).
//   - Signed values (weights) use Moreland's smooth blue–red diverging palette over a symmetric
//     range ±max|w|, blue negative, red positive, with a colour bar. Sequential values (accuracy) use
//     Moreland's Kindlmann palette; grey images are white at 0 and black at the maximum.
//   - Series colours are Okabe–Ito (SeriesColors), distinguishable under colour-vision deficiency;
//     series also differ by mark shape, and controls are dashed with hollow marks.
//   - The denoted set S (the high side) is drawn in HighlightColor, other classes in OtherColor.
//
// # Errors
//
// Inputs are validated: empty data, NaN or ±Inf values, mismatched lengths, out-of-range classes,
// accuracies or intervals give an error naming the offending field and index, never a panic.
// Rendering validates the figure and turns a panic of gonum/plot into an error.
package plotting
