"""Writes the seed inputs of NpyExamplesFuzzTest: one .npy file per case the reader of example folders must handle
(issue 20's "an input file per example in .npy": the header is untrusted input). Valid files come from numpy.save
(every accepted type, both byte orders, format versions 1.0, 2.0 and 3.0); the hostile ones are edited from them.
The fuzz test puts each input in a folder as x.npy with a labels file naming it, reads its header, and reads its
values as float32 and as int64 into buffers of 64 values.

Run from the repository root:  /usr/bin/python3 tribuo-invariance/src/test/python/make_npy_fuzz_seeds.py
Findings of campaigns (crash-*) are added to the same folder by hand and kept after their fix.
"""
import io
import os
import pathlib
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "invariance", "data",
                   "NpyExamplesFuzzTestInputs", "readerRefusesOnlyWithInvalidDataException")


def saved(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


def with_header(text, data=b"\0" * 16):
    """A format 1.0 file with the dict literal `text`, padded as numpy pads it."""
    h = text.encode("latin-1")
    h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


IMAGE = np.arange(48, dtype=np.float32).reshape(1, 3, 4, 4) / 16
VALID = saved(IMAGE)
SEEDS = {
    "valid_float32_image": VALID,
    "valid_float64_big_endian": saved(np.array([[0.5, -2.0], [1e-3, 7.0]], dtype=">f8")),
    "valid_int64_tokens": saved(np.array([[3, 1, 4, 1, 5]], dtype=np.int64)),
    "valid_int32_v2": saved(np.array([7, -8, 9], dtype=np.int32), version=(2, 0)),
    "valid_float32_v3": saved(np.ones((2, 2), dtype="<f4"), version=(3, 0)),
    "valid_scalar": saved(np.float32(1.5)),
    "valid_empty_axis": saved(np.zeros((0, 3), dtype=np.float32)),
    "float16": saved(np.ones(4, dtype=np.float16)),
    "uint8": saved(np.ones(16, dtype=np.uint8)),
    "structured": saved(np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")])),
    "fortran_order": saved(np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))),
    "nan_and_infinity": saved(np.array([1, np.nan, np.inf, -np.inf], dtype=np.float32)),
    "float64_beyond_float32": saved(np.array([1e39], dtype=np.float64)),
    "int64_beyond_int32": saved(np.array([1 << 40], dtype=np.int64)),
    "truncated": VALID[:-5],
    "trailing_bytes": VALID + b"\0\0\0\0",
    "bad_magic": b"\x93NUMPZ" + VALID[6:],
    "version_4": VALID[:6] + b"\x04\x00" + VALID[8:],
    "header_past_end": VALID[:8] + struct.pack("<H", 0xFFFF) + VALID[10:],
    "header_of_a_gigabyte": b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{}",
    "preamble_only": VALID[:10],
    "not_ascii": VALID[:12] + b"\xe9" + VALID[13:],
    "shape_overflow": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"),
    "shape_negative": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }"),
    "shape_40_axes": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, " * 40 + "), }"),
    "shape_long_size": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "9" * 40 + ",), }"),
    "python2_long": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4L,), }"),
    "unknown_key": with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1, }"),
    "duplicate_key": with_header("{'descr': '<f4', 'descr': '<i8', 'fortran_order': False, 'shape': (4,), }"),
    "missing_key": with_header("{'descr': '<f4', 'shape': (4,), }"),
    "unclosed_string": with_header("{'descr': '<f4, 'fortran_order': False, 'shape': (4,), }"),
    "escaped_string": with_header("{'descr': '<f4\\', 'fortran_order': False, 'shape': (4,), }"),
    "not_a_dict": with_header("(4,)"),
    "empty_header": with_header(""),
    "control_characters": with_header("{'descr': '\x1b]0;title\x07', 'fortran_order': False, 'shape': (4,), }"),
    "more_values_than_an_example": saved(np.zeros(65, dtype=np.float32)),
}


if __name__ == "__main__":
    out = pathlib.Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in SEEDS.items():
        (out / name).write_bytes(content)
