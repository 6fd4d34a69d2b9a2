// Package atomicfile writes files so that a reader never sees a partial one: the content goes to a
// temporary file in the same folder, which is synced and renamed onto the final name. Two writers
// of the same path leave one complete file (the last rename wins); a failed write leaves the old
// file, if any, and no temporary file.
//
// A checked file (WriteChecked, ReadChecked) also carries its payload's length and SHA-256 on a
// first line, so that a reader tells a truncated or damaged file from a good one: the results
// cache and the decompressed copies of the data sets are checked files.
//
//	err := atomicfile.WriteBytes("results.json", data)
//	err = atomicfile.Write("model.bin", func(w io.Writer) error { _, err := w.Write(b); return err })
package atomicfile
