"""Writes the seed inputs of CsvExampleReaderFuzzTest: one small CSV file per case the reader must handle (issue 18
item 3 and the CSV cases of issue 19). The fuzz test reads each as the in-memory path does (file order, doubles) and
as the ONNX Runtime path does for a model with features b, a and classes x, y (float32), with a record limit of 4096
characters and 64 columns, so the two limit seeds below reach it with a few kilobytes.

Run from the repository root:  /usr/bin/python3 tribuo-invariance/src/test/python/make_csv_fuzz_seeds.py
Findings of campaigns (crash-*) are added to the same folder by hand and kept after their fix.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "invariance", "data",
                   "CsvExampleReaderFuzzTestInputs", "readerRefusesOnlyWithInvalidDataException")

ROWS = "a,b,label\n1,2,x\n-0.5,.5,y\n"

SEEDS = {
    "valid": ROWS.encode(),
    "valid_model_order_extra_column": b"id,b,label,a\nr1,2,x,1\nr2,4,y,3\n",
    "bom_columns_by_name": b"\xef\xbb\xbfb,label,a\r\n2,x,1\r\n4,y,3\r\n",
    "crlf_lone_cr_empty_lines": b"a,b,label\r\n1,2,x\r\n\r\n3,4,y\r5,6,x\r\n",
    "quoted_cells": b'"a","b",label\n"1.5",2,"x"\n3,"4","y"\n"5",6,"say ""hi"", then\nleave"\n',
    "quote_not_closed": b'a,b,label\n1,2,x\n3,4,"y\n5,6,x\n',
    "text_after_closing_quote": b'a,b,label\n1,2,x\n"3"4,5,y\n',
    "java_literals": b"a,b,label\n0x1p3,2d,x\n1.5f,0x10,y\n",
    "decimal_spellings": b"a,b,label\n1e5,-0.5,x\n+3,.5,y\n5.,1E-3,x\n",
    "nan_infinity": b"a,b,label\nNaN,Infinity,x\n-inf,nan,y\n",
    "double_overflow": b"a,b,label\n1e400,2,x\n3,4,y\n",
    "float32_overflow": b"a,b,label\n3.4e38,2,x\n1e39,4,y\n",
    "not_utf8": b"a,b,label\n1,2,x\n3,4\xff,y\n",
    "truncated_utf8": b"a,b,label\n1,2,x\n3,4,\xc3",
    "utf16": "\ufeffa,b,label\n1,2,x\n".encode("utf-16-le"),
    "duplicate_columns": b"a,b,a,label\n1,2,3,x\n4,5,6,y\n",
    "unnamed_column": b"a,,b,label\n1,2,3,x\n",
    "missing_column": b"a,label\n1,x\n2,y\n",
    "no_label_column": b"a,b\n1,2\n",
    "ragged_rows": b"a,b,label\n1,2,x\n3,y\n4,5,6,x\n",
    "empty": b"",
    "only_bom_and_empty_lines": b"\xef\xbb\xbf\n\r\n\n",
    "header_only": b"a,b,label\n",
    "unknown_label": b"a,b,label\n1,2,x\n3,4,z\n",
    "empty_cells": b"a,b,label\n,2,x\n3,4,\n",
    "control_characters": b'a,b,label\n1,2,x\n"1\x1b]0;title\x07\n2",4,y\n',
    "long_record": b"a,b,label\n1,2,x\n3," + b"4" * 5000 + b",y\n",
    "long_unclosed_quote": b'a,b,label\n1,2,"x' + b"\n3,4,y" * 1000,
    "many_columns": (",".join("c%d" % i for i in range(100)) + ",label\n").encode(),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, content in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(content)


if __name__ == "__main__":
    main()
