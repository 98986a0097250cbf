"""The one place cbis.model imports TensorFlow and Keras, so both are configured before first use.

Importing this module costs about 2.6 s and 0.5 GB (see notes/performance-facts.md): only code that builds or runs
a Keras model imports it, and only inside functions reached from ``load_classifier``.
"""

from __future__ import annotations

import os

from cbis.errors import ModelUnavailableError
from cbis.model.backends import inference_threads, without_routine_native_stderr

# TensorFlow's C++ start-up chatter would land in the middle of cbis' progress output; users can still override.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The classifiers compile tf.functions and convert with TFLiteConverter: Keras must run on TensorFlow.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

try:
    with without_routine_native_stderr():  # the oneDNN notice comes before TF_CPP_MIN_LOG_LEVEL is honoured
        import keras
        import tensorflow as tf
except ImportError as exc:
    raise ModelUnavailableError(f"cbis needs TensorFlow and Keras to build its classifiers ({exc})") from exc

if keras.backend.backend() != "tensorflow":
    raise ModelUnavailableError(
        f"cbis needs Keras' TensorFlow backend, but Keras runs on {keras.backend.backend()!r} "
        "(unset KERAS_BACKEND or set it to 'tensorflow')"
    )


def _configure_threads() -> None:
    try:
        # Each op spread over the CPUs this process may use (TensorFlow's default counts the host's cores, too
        # many in a container); two ops at a time lets Inception's parallel branches overlap without a second
        # full-size pool competing with cbis' decode threads. On 2 cores the choice made no measurable difference.
        tf.config.threading.set_intra_op_parallelism_threads(inference_threads())
        tf.config.threading.set_inter_op_parallelism_threads(2)
    except RuntimeError:
        pass  # TensorFlow was initialised by someone else first; its settings stand


_configure_threads()

__all__ = ["keras", "tf"]
