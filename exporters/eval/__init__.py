"""Score results against a ground truth (docs/evaluation.md): pairing, the docnorm protocol and OmniDocBench's."""
