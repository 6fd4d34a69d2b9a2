// Package findings reproduces the findings of Allen 2021, "Neural Networks and Denotation"
// (arXiv 2103.08315), one function per finding, each returning its results (JSON-serialisable) and
// its figures. The notebooks and `denote reproduce` call these functions and nothing else.
//
// Every finding starts from a Setup (data set, object model and training recipe, sample counts,
// seeds) and a Subject (the trained object model, taken from the run cache when it was trained
// before, plus the recorded activations of every hidden neuron):
//
//	s := findings.DefaultSetup("mnist")           // DENOTATION_QUICK=1 shrinks it for CI
//	sub, err := findings.Prepare(s, nil)          // trains or loads the model, records activations
//	res, err := findings.ObserverWeights(sub, "even", "lt5", "loops")   // F2
//	err = findings.Show(res)   // its figures inline in GoNB (and exported to figures/), then its Markdown
//
// Every finding's result satisfies Result: Figures() with their export names and Markdown() (its
// section of the report); the struct itself is the JSON behind the figures. Reproduce runs a table
// of findings and builds report.md from the same table.
//
// The object models use the recipe an earlier factor study chose (StudyModel; FactorStudy measures
// initialisation × schedule × width, and says in each run which recipe ranks first). Denotations
// are validated: chosen on training-split activations, counted when they hold on the test split
// (Denotations, F3). F4
// (LabelProportionVsDepth) summarises each network and gives t intervals over networks with
// trained − untrained contrasts paired by (depth, seed). Each subject's recorded state and every
// finding's result are kept in a results cache beside the run cache (see EnvNoCache), so a notebook
// cell run again redraws its figures from stored numbers.
//
// Definitions are those of docs/definitions.md: hidden layers are numbered 1 … L from the input,
// observers train on training-split activations and are scored on the test split, every random
// choice comes from a recorded seed.
package findings

import _ "github.com/denotation-go/denotation/pkg/model/gonbprogress" // GoNB training progress for model.AutoProgress
