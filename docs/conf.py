"""Sphinx configuration of the qmot documentation site.

The API pages are written at build time from the ``__all__`` of each public package, so a name
added to a package appears in the reference without editing the docs. MathJax is served from
the build's own ``_static`` folder (the ``django-static-mathjax`` package ships its files), so
the site works without a network.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import qmot

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "qmot"
author = "the qmot developers"
copyright = "the qmot developers"
version = release = qmot.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.zip"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "config.cache"]

# -- API reference ----------------------------------------------------------------------------

PUBLIC_PACKAGES = {
    "qmot.classical": "Classical optimal transport",
    "qmot.quantum": "Quantum optimal transport",
    "qmot.manybody": "Many-body optimal transport",
    "qmot.results": "Results",
    "qmot.errors": "Errors",
    "qmot.certify": "Certificates",
}
"""The packages whose public names (``__all__``) the reference documents, with page titles."""

autosummary_generate = True
templates_path = ["_templates"]
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


def _public_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(names, key=str.lower)


def _write_api_pages() -> None:
    folder = DOCS / "api" / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    for module_name, title in PUBLIC_PACKAGES.items():
        lines = [
            f"{title}: ``{module_name}``",
            "=" * (len(title) + len(module_name) + 6),
            "",
            f".. automodule:: {module_name}",
            "   :no-members:",
            "",
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: .",
            "",
        ]
        lines += [f"   {name}" for name in _public_names(module_name)]
        page = folder / f"{module_name}.rst"
        text = "\n".join(lines) + "\n"
        if not page.is_file() or page.read_text() != text:
            page.write_text(text)


_write_api_pages()

# -- Gallery ----------------------------------------------------------------------------------

QUICK_DOCS = os.environ.get("QMOT_DOCS_QUICK", "") not in ("", "0")
"""Set ``QMOT_DOCS_QUICK=1`` to render the gallery without running the examples."""

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": str(DOCS / "auto_examples"),
    # Every example runs (about 20 s together) except the report script, which writes files.
    "filename_pattern": r"^((?!reproduce_).)*$" if not QUICK_DOCS else r"^$",
    "plot_gallery": "True",
    "reset_argv": lambda gallery_conf, script_vars: [str(DOCS / "_build" / "example-output")],
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 1,
    "show_memory": False,
    "show_signature": False,
    "capture_repr": (),
    "matplotlib_animations": False,
}

# -- HTML -------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"qmot {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 4,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_last_updated_fmt = None
mathjax_path = "mathjax/tex-mml-chtml.js"


def _copy_mathjax(app, exception) -> None:  # type: ignore[no-untyped-def]
    """Put MathJax's ``es5`` build into ``_static/mathjax`` of an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    import mathjax

    source = Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / "tex-mml-chtml.js").is_file():
        shutil.copytree(source, target, dirs_exist_ok=True)


def setup(app) -> None:  # type: ignore[no-untyped-def]
    app.connect("build-finished", _copy_mathjax)
