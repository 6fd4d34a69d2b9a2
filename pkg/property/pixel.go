package property

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/denotation-go/denotation/datasets"
)

// Attribute is a scalar computed from a sample's pixels. A PixelProperty turns it into a binary
// property by splitting at the training median.
type Attribute int

// The pixel attributes. Coordinates are in pixels: x is the column (0 at the left), y the row
// (0 at the top). A pixel counts as ink for the bounding box when its value exceeds InkThreshold;
// masses and moments use the raw values in [0,1].
const (
	// InkMass is the sum of the pixel values.
	InkMass Attribute = iota
	// BoxWidth is the number of columns from the leftmost to the rightmost ink pixel (0 if none).
	BoxWidth
	// BoxHeight is the number of rows from the top to the bottom ink pixel (0 if none).
	BoxHeight
	// CentroidX is the intensity-weighted mean column ((Cols−1)/2 for a blank image).
	CentroidX
	// CentroidY is the intensity-weighted mean row ((Rows−1)/2 for a blank image).
	CentroidY
	// Slant is −μ11/μ02 from the intensity-weighted second central moments: the horizontal shift per
	// row going up, positive when the top leans right (0 when μ02 = 0).
	Slant
	numAttributes
)

// InkThreshold is the pixel value above which a pixel counts as ink for the bounding box.
const InkThreshold = 0.2

var attributeNames = [numAttributes]string{"ink", "width", "height", "cx", "cy", "slant"}

// String is the attribute's short name: ink, width, height, cx, cy, slant.
func (a Attribute) String() string {
	if a < 0 || a >= numAttributes {
		return fmt.Sprintf("Attribute(%d)", int(a))
	}
	return attributeNames[a]
}

// Attributes lists all pixel attributes.
func Attributes() []Attribute {
	out := make([]Attribute, numAttributes)
	for i := range out {
		out[i] = Attribute(i)
	}
	return out
}

// ParseAttribute reads an attribute name (ink, width, height, cx, cy, slant; also ink_mass,
// centroid_x, centroid_y), optionally prefixed by "pixel:".
func ParseAttribute(name string) (Attribute, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "pixel:")
	switch n {
	case "ink_mass", "inkmass", "mass":
		return InkMass, nil
	case "centroid_x", "centroidx":
		return CentroidX, nil
	case "centroid_y", "centroidy":
		return CentroidY, nil
	}
	for i, an := range attributeNames {
		if n == an {
			return Attribute(i), nil
		}
	}
	return 0, fmt.Errorf("unknown pixel attribute %q (want one of %s)", name, strings.Join(attributeNames[:], ", "))
}

// Value computes the attribute of one image of rows×cols pixels.
func (a Attribute) Value(img []float32, rows, cols int) float64 {
	var mass, sx, sy float64
	minX, maxX, minY, maxY := cols, -1, rows, -1
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			v := float64(img[y*cols+x])
			mass += v
			sx += v * float64(x)
			sy += v * float64(y)
			if v > InkThreshold {
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	switch a {
	case InkMass:
		return mass
	case BoxWidth:
		if maxX < 0 {
			return 0
		}
		return float64(maxX - minX + 1)
	case BoxHeight:
		if maxY < 0 {
			return 0
		}
		return float64(maxY - minY + 1)
	}
	cx, cy := float64(cols-1)/2, float64(rows-1)/2
	if mass > 0 {
		cx, cy = sx/mass, sy/mass
	}
	switch a {
	case CentroidX:
		return cx
	case CentroidY:
		return cy
	case Slant:
		var m11, m02 float64
		for y := 0; y < rows; y++ {
			dy := float64(y) - cy
			for x := 0; x < cols; x++ {
				v := float64(img[y*cols+x])
				m11 += v * (float64(x) - cx) * dy
				m02 += v * dy * dy
			}
		}
		if m02 <= 0 {
			return 0
		}
		return -m11 / m02
	}
	return math.NaN()
}

// Values computes the attribute for every sample of a split.
func (a Attribute) Values(s *datasets.Split) ([]float64, error) {
	if a < 0 || a >= numAttributes {
		return nil, fmt.Errorf("unknown pixel attribute %d", int(a))
	}
	if s == nil {
		return nil, fmt.Errorf("pixel attribute %s: nil split", a)
	}
	f := s.Rows * s.Cols
	if f <= 0 || len(s.Images) != s.Len()*f {
		return nil, fmt.Errorf("pixel attribute %s: %s split has %d pixel values for %d images of %d×%d", a, s.Name, len(s.Images), s.Len(), s.Rows, s.Cols)
	}
	out := make([]float64, s.Len())
	for i := range out {
		out[i] = a.Value(s.Images[i*f:(i+1)*f], s.Rows, s.Cols)
	}
	return out, nil
}

// Median returns the median of xs (the mean of the two middle values for an even count).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// PixelProperty is "the attribute is above Threshold", with Threshold the training-split median.
// Samples exactly at the threshold are on the low side, so an integer-valued attribute (width,
// height) can have a sample proportion away from one half.
type PixelProperty struct {
	Attribute Attribute
	// Threshold is the median of the attribute over the training split.
	Threshold float64
}

// NewPixelProperty computes the attribute's median over the training split.
func NewPixelProperty(a Attribute, train *datasets.Split) (PixelProperty, error) {
	vals, err := a.Values(train)
	if err != nil {
		return PixelProperty{}, err
	}
	if len(vals) == 0 {
		return PixelProperty{}, fmt.Errorf("pixel attribute %s: empty training split", a)
	}
	return PixelProperty{Attribute: a, Threshold: Median(vals)}, nil
}

// Name is "<attribute>>median", e.g. "ink>median".
func (p PixelProperty) Name() string { return p.Attribute.String() + ">median" }

// Targets reports, for each sample, whether its attribute exceeds the training median.
func (p PixelProperty) Targets(s *datasets.Split) ([]bool, error) {
	vals, err := p.Attribute.Values(s)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(vals))
	for i, v := range vals {
		out[i] = v > p.Threshold
	}
	return out, nil
}

// Parse reads any property spec for a data set: a pixel attribute name (ink, width, height, cx, cy,
// slant, optionally "pixel:ink"), binarised at the median of ds.Train, or a label-subset spec
// (Vocabulary.Parse).
func Parse(spec string, ds *datasets.Dataset) (Property, error) {
	if ds == nil {
		return nil, fmt.Errorf("property spec %q: nil dataset", spec)
	}
	s := strings.TrimSpace(spec)
	if a, err := ParseAttribute(s); err == nil {
		p, err := NewPixelProperty(a, ds.Train)
		if err != nil {
			return nil, fmt.Errorf("property spec %q: %w", spec, err)
		}
		return p, nil
	} else if strings.HasPrefix(strings.ToLower(s), "pixel:") {
		return nil, fmt.Errorf("property spec %q: %w", spec, err)
	}
	return VocabularyOf(ds).Parse(spec)
}
