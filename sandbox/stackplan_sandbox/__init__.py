"""Stackplan's local AWS sandbox: moto's server with the project's extensions loaded.

The extensions fill gaps in moto's CloudFormation emulation that Stackplan's templates
meet (see each module's docstring for the moto feature or bug it covers), written the way
they would be contributed upstream: CloudFormation models backed by moto's own service
backends, and small, named fixes to existing models.

Nothing here changes a template. The templates Stackplan deploys to AWS are exactly the
ones the sandbox receives.
"""

from __future__ import annotations

import moto

# The extensions are written and tested against this version and no other.
MOTO_VERSION = "5.2.5"

_installed = False


class UnsupportedMotoVersion(RuntimeError):
    pass


def install() -> None:
    """Loads every extension into the running interpreter's moto. Idempotent."""
    global _installed
    if _installed:
        return
    if moto.__version__ != MOTO_VERSION:
        raise UnsupportedMotoVersion(
            f"stackplan_sandbox is tested against moto {MOTO_VERSION}, found {moto.__version__}; "
            "run scripts/lib.sh's install_python_tools to install the pinned version"
        )
    # moto's resource map is built from CloudFormationModel.__subclasses__(): importing the
    # modules defines the new models, and the caches built before must be dropped.
    from moto.cloudformation import parsing

    from . import intrinsics, models, stacks

    models.install()
    intrinsics.install()
    stacks.install()
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    _installed = True
