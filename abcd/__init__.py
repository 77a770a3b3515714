"""abcd: Asset Based Community Development mapping for Dutch neighbourhoods.

The package is a plain library (no Streamlit imports outside :mod:`abcd.ui`):
the Streamlit pages, the ``abcd`` command line and the notebooks all call the
same functions.
"""

__version__ = "0.1.0"
