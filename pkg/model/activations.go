package model

import "github.com/denotation-go/denotation/pkg/hidden"

// Activations is the state of every hidden neuron of a model over N samples, with the samples'
// labels: Model.Activations and Model.Capture produce it.
//
// The type lives in the leaf package pkg/hidden (standard library only), so that the statistics
// packages (pkg/observer, pkg/denotation) can take activations without importing gomlx. This
// alias is kept for compatibility: model.Activations and hidden.Activations are the same type.
type Activations = hidden.Activations

// LayerActivations is the recorded state of one hidden layer (see hidden.LayerActivations). This
// alias is kept for compatibility: model.LayerActivations and hidden.LayerActivations are the same
// type.
type LayerActivations = hidden.LayerActivations
