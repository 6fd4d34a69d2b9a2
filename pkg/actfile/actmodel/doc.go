// Package actmodel turns activations read by package actfile into the types the project's
// analyses take: hidden.Activations (alias model.Activations) for the denotation scan (denotation.Scan) and the observers
// (observer.NewFeatures), label-only datasets.Split values for stratified subsets, and
// property.Vocabulary for property specs. Network groups the files of one network (one file with
// a split array, or a training and a test file) and checks that they agree.
//
// Package actfile stays a leaf (standard library only); this package is the bridge to the
// project's other types. It does not import pkg/model (nor gomlx).
package actmodel
