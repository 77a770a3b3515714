"""A wijk's strengths portrait, for residents to show what their neighbourhood has.

:mod:`~abcd.portrait.data` gathers what a portrait shows (public assets only:
residents as counts per buurt, nothing awaiting approval) and its headline
figures; :mod:`~abcd.portrait.static_map` draws a printable map without tiles;
:mod:`~abcd.portrait.report` writes the A4 PDF and :mod:`~abcd.portrait.poster`
the A3 poster. Nothing is imported here, so using one does not load the others'
libraries (ReportLab, matplotlib).
"""
