// Package gonbprogress shows pkg/model's training progress in GoNB notebooks: a live HTML line
// per epoch (Progress), drawn with gonbui.
//
// pkg/model does not depend on GoNB. Importing this package, even blank,
//
//	import _ "github.com/denotation-go/denotation/pkg/model/gonbprogress"
//
// registers Progress with model.RegisterNotebookProgress, so that model.AutoProgress (the
// default progress sink of model.Train and of pkg/findings) draws in a notebook when run by a
// GoNB kernel. pkg/findings imports it, so the project's notebooks need nothing more. Outside a
// notebook the registration has no effect: AutoProgress still draws on a terminal, or shows
// nothing.
package gonbprogress
