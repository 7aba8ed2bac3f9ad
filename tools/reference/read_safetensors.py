#!/usr/bin/python3
"""Reads (and, for the golden script, writes) safetensors files with plain numpy + json: no Kiln code, no
safetensors package. It is the independent check that Kiln's checkpoints are ordinary safetensors files.

    read_safetensors.py FILE                      print the metadata and one line per tensor
    read_safetensors.py FILE --expect EXPECT.json compare with expectations; exit 0 if all match, 1 if not

EXPECT.json (written by Kiln's test, or by hand):
    {"metadata": {"key": "value", ...},
     "tensors": {"<name>": {"dtype": "F32", "shape": [2, 3], "bits": [...]}, ...}}
"bits" lists the elements row-major as integers: for F32 / F64 the IEEE-754 bit patterns as signed 32 / 64-bit
integers (so NaN payloads and -0.0 compare exactly), for integer dtypes the values, for BOOL 0 or 1. The file must
hold exactly the named tensors and exactly that metadata. Exit status 2: the file is not a valid safetensors file.

Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON
{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}, then the data; the tensors'
byte ranges must tile the data exactly (as the reference implementation requires).
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
          "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}
BITS = {"F64": "<i8", "F32": "<i4", "F16": "<i2"}  # floats compared through their bit patterns


class InvalidFile(Exception):
    pass


def _code(dtype):
    """The safetensors code of a numpy dtype, whatever its byte order."""
    for code, spec in DTYPES.items():
        if np.dtype(spec) == dtype.newbyteorder("<"):
            return code
    raise ValueError(f"no safetensors dtype for numpy {dtype}")


def _refuse_duplicates(pairs):
    keys = [k for k, _ in pairs]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise InvalidFile(f"duplicate names in the header: {sorted(duplicates)}")
    return dict(pairs)


def read(path):
    """(tensors: dict name -> numpy array in header order, metadata: dict str -> str); raises InvalidFile."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise InvalidFile(f"{len(blob)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise InvalidFile(f"header length {n} goes beyond the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=_refuse_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidFile(f"header is not UTF-8 JSON: {e}")
    if not isinstance(header, dict):
        raise InvalidFile("header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise InvalidFile("__metadata__ must map strings to strings")
    data = blob[8 + n:]
    tensors, ranges = {}, []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise InvalidFile(f"tensor {name!r}: entry must have exactly dtype, shape, data_offsets")
        if info["dtype"] not in DTYPES:
            raise InvalidFile(f"tensor {name!r}: unknown dtype {info['dtype']!r}")
        shape = info["shape"]
        begin, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]])
        if not (0 <= begin <= end <= len(data)):
            raise InvalidFile(f"tensor {name!r}: data_offsets {[begin, end]} outside the {len(data)} data bytes")
        if end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise InvalidFile(f"tensor {name!r}: shape {shape} of {info['dtype']} does not fill {[begin, end]}")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        ranges.append((begin, end, name))
    covered = 0
    for begin, end, name in sorted(ranges):
        if begin != covered:
            raise InvalidFile(f"tensor {name!r} starts at {begin}, expected {covered}: a gap or an overlap")
        covered = end
    if covered != len(data):
        raise InvalidFile(f"{len(data) - covered} bytes after the last tensor")
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes numpy arrays as the reference implementation lays them out: data sorted by element size (largest
    first) then by name, header padded with spaces to a multiple of 8."""
    order = sorted(tensors, key=lambda name: (-tensors[name].dtype.itemsize, name))
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in order:
        array = tensors[name]
        raw = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _code(array.dtype), "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def _as_bits(code, array):
    flat = array.reshape(-1)
    if code in BITS:
        return flat.view(BITS[code]).tolist()
    return flat.astype(np.int64).tolist() if code == "BOOL" else flat.tolist()


def compare(tensors, metadata, expect):
    """The differences between the file's contents and the expectations, as lines (empty if none)."""
    problems = []
    if metadata != expect.get("metadata", {}):
        for key in sorted(set(metadata) | set(expect.get("metadata", {}))):
            have, want = metadata.get(key), expect.get("metadata", {}).get(key)
            if have != want:
                problems.append(f"metadata {key!r}: file has {have!r}, expected {want!r}")
    wanted = expect["tensors"]
    for name in sorted(set(tensors) | set(wanted)):
        if name not in tensors:
            problems.append(f"tensor {name!r}: missing from the file")
        elif name not in wanted:
            problems.append(f"tensor {name!r}: in the file but not expected")
        else:
            array, want = tensors[name], wanted[name]
            code = _code(array.dtype)
            if code != want["dtype"] or list(array.shape) != want["shape"]:
                problems.append(f"tensor {name!r}: file has {code} {list(array.shape)}, expected {want['dtype']} {want['shape']}")
                continue
            bits = _as_bits(code, array)
            wrong = [i for i, (a, b) in enumerate(zip(bits, want["bits"])) if a != b]
            if len(bits) != len(want["bits"]) or wrong:
                first = wrong[0] if wrong else min(len(bits), len(want["bits"]))
                problems.append(f"tensor {name!r}: {len(wrong)} elements differ (first at flat index {first})")
    return problems


def main(argv):
    args = argv[1:]
    if len(args) not in (1, 3) or (len(args) == 3 and args[1] != "--expect"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        tensors, metadata = read(args[0])
    except (OSError, InvalidFile) as e:
        print(f"{args[0]}: not a valid safetensors file: {e}", file=sys.stderr)
        return 2
    if len(args) == 1:
        for key, value in metadata.items():
            print(f"metadata {key} = {value if len(value) <= 100 else value[:97] + '...'}")
        for name, array in tensors.items():
            print(f"tensor {name} {array.dtype.str} {list(array.shape)} {array.reshape(-1)[:5].tolist()}")
        return 0
    with open(args[2], encoding="utf-8") as f:
        expect = json.load(f)
    problems = compare(tensors, metadata, expect)
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"OK: {len(tensors)} tensors and {len(metadata)} metadata entries match bit for bit")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
