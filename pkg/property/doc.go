// Package property defines the binary properties of samples that observers try to read from a
// network's neurons (Allen 2021, "Neural Networks and Denotation").
//
// # Label-subset properties
//
// A label-subset property is a set S of classes with 0 < |S| < K; a sample has it when its label is
// in S. LabelSet is a bit mask (bit c ⇔ class c, K ≤ 64) whose canonical name lists the classes in
// increasing order, "{0,2,4,6,8}". S and its complement describe the same split with the sides
// swapped; both views stay explicit:
//
//   - Complement(k) swaps the sides;
//   - Canonical(k) picks one view per split: the smaller side, and for |S| = K/2 the side holding
//     class 0. Splits(k) lists each split once by that view (511 for K = 10), AllSubsets(k) both
//     views (2^K − 2 = 1022).
//
// The label proportion of S is |S|/K; its sample proportion is the fraction of samples whose label
// is in S.
//
// A Vocabulary holds a data set's class names and its aliases — MNIST: even, odd, lt5, ge5,
// loops {0,6,8,9}, straight {1,4,7}, curved (the complement of straight), prime; Fashion-MNIST:
// tops, footwear, clothing, longsleeve, accessories — and parses specs: an alias, "0,6,8,9",
// "{0,2}", a range "2-5", class names ("sneaker", "Sandal,Sneaker"), "digit=3" / "class=Bag",
// and "!spec" for a complement. Listing a class twice, the empty set, all K classes, an unknown
// name and a label out of range are errors that quote the spec. ParseList adds "all", "splits"
// and "aliases", and ';'-separated lists.
//
// LabelSet is the one label-set type of the module: the vocabulary parses into it, and the scan
// (pkg/denotation), the CLI, the findings and the plots pass it on. Its String (through Named) is
// the one formatter of a set as "{0,6,8,9}"; in JSON it is the array of its classes, [0,6,8,9].
// It lives here rather than in a package of its own because this package is light: it imports
// only the standard library and datasets (itself standard-library only, for datasets.Split), so
// pkg/denotation can import it and stay free of gomlx and GoNB.
//
// # Pixel attributes
//
// Attribute computes a scalar from an image (ink mass, bounding-box width and height, centroid x
// and y, slant from second moments); PixelProperty binarises it at the median over the training
// split: a sample has the property when its value is strictly above that median. Both kinds
// implement Property, whose Targets gives one boolean per sample of a datasets.Split. In this module
// "property" means only this; a neuron's (S, t) pair with its scores is a denotation.Reading.
package property
