"""Reading inputs and writing per-sample outputs.

``sources`` opens any input as a stream of projected Arrow record batches, ``columns`` turns
batches into arrays, ``sinks`` writes per-sample files. Nothing is imported here, so importing one
of them does not pay for the others.
"""
