"""Ray tests: one private local cluster for the whole session, started on first use and shut down at the end.

The cluster lives in its own temp dir (short: Ray's Unix socket paths must stay under 107 bytes), without a
dashboard, on 2 CPUs; Ray 2.60's token authentication is on, with a token that only this process holds (see
`cbis.services.distributed._private_token`), so nothing is written to ~/.ray.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _session_home


def require_ray() -> None:
    # ray.data, not ray: this directory itself would import as an (empty) namespace package named "ray".
    pytest.importorskip("ray.data", reason="Ray is not installed: pip install 'cbis[ray]'")


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    require_ray()
    from cbis.services.distributed import LOCAL, RayOptions, ray_connection

    # Ray's worker processes inherit the environment the cluster starts with: the session's model cache.
    os.environ["CBIS_HOME"] = str(_session_home(tmp_path_factory))
    temp = Path(tempfile.mkdtemp(prefix="cbt-"))
    try:
        with ray_connection(RayOptions(LOCAL, temp_dir=temp, num_cpus=2)):
            yield
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="session")
def default_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The default model, converted once into the session's cache (a few seconds of TensorFlow the first time)."""
    from cbis.model.registry import DEFAULT_MODEL, load_classifier

    os.environ["CBIS_HOME"] = str(_session_home(tmp_path_factory))
    load_classifier(DEFAULT_MODEL)
    return DEFAULT_MODEL
