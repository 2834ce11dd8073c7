"""Dashboard glue: state that survives page switches, cached calls into core, shared widgets.

Pages read widgets, call these helpers (which call ``core``) and draw. No algorithm, file
format or SQL lives in a page or here beyond calling the engine.
"""
