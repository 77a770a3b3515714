"""Photos of assets: taken or picked on a phone, stored without any of the phone's metadata.

:mod:`~abcd.photos.images` re-encodes what arrives (JPEG, PNG, WebP, GIF,
iPhone HEIC) into a clean JPEG and a thumbnail, so no EXIF, GPS or other
metadata is ever stored; :mod:`~abcd.photos.register` stores photos beside
their asset and says who may see them (a resident's photos follow the
resident's privacy rules); :mod:`~abcd.photos.files` writes them beside an
export; :mod:`~abcd.photos.html` puts a thumbnail in a popup. Nothing is
imported here, so the command line's ``--help`` does not load Pillow.
"""
