"""Offline capture with KoboToolbox and ODK Collect: the form, and its exports imported back without mapping.

:mod:`~abcd.fieldforms.xlsform` generates the XLSForm from the asset model
(``abcd xlsform OUT.xlsx``); :mod:`~abcd.fieldforms.exports` recognises a
Kobo or ODK export of it (and of similar forms) on import, puts its columns
in ``abcd``'s own, and attaches the photos that came with it. Nothing is
imported here, so ``abcd --help`` loads neither openpyxl nor Pillow.
"""
