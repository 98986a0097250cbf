"""cbis: image triage for digital forensics.

Kept free of heavy imports: `cbis --help` must not pay for TensorFlow.
"""

__version__ = "0.1.0"
