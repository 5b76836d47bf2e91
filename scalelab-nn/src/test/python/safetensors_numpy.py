"""Independent numpy implementation of the safetensors format, used to cross-check ScaleLab's
Java reader and writer. Format: 8-byte little-endian header length, JSON header
{name: {dtype, shape, data_offsets}}, then the data region (github.com/huggingface/safetensors).

  write FILE             writes f32/f16/bf16 tensors to FILE, prints their values (as float32) as JSON
  read FILE              parses FILE with numpy, prints {name: {dtype, shape, bits}} (float32 bit patterns) as JSON
  half VALUES_JSON       prints numpy's float16 rounding of the given float32 values (as float32 bits)
"""
import json
import struct
import sys

import numpy as np


def bf16_bits(x):
    """float32 -> bfloat16 bits, round to nearest even (what torch's .to(torch.bfloat16) does)."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def write(path):
    tensors = {
        "layer.weight": np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1.0,
        "layer.bias_f16": np.array([0.1, -2.5, 65504.0, 1e-6], dtype=np.float32),
        "embed_bf16": np.array([[1.5, -2.25, 3.0], [0.1, 1e30, -7.0]], dtype=np.float32),
        "scalar": np.array(3.25, dtype=np.float32),
    }
    encoded = {
        "layer.weight": ("F32", tensors["layer.weight"].astype("<f4").tobytes()),
        "layer.bias_f16": ("F16", tensors["layer.bias_f16"].astype("<f2").tobytes()),
        "embed_bf16": ("BF16", bf16_bits(tensors["embed_bf16"]).astype("<u2").tobytes()),
        "scalar": ("F32", tensors["scalar"].astype("<f4").tobytes()),
    }
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, (dtype, raw) in encoded.items():
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    values = {}
    values["layer.weight"] = tensors["layer.weight"].ravel().tolist()
    values["layer.bias_f16"] = tensors["layer.bias_f16"].astype(np.float16).astype(np.float32).ravel().tolist()
    values["embed_bf16"] = (bf16_bits(tensors["embed_bf16"]).astype(np.uint32) << 16).view(np.float32).ravel().tolist()
    values["scalar"] = [float(tensors["scalar"])]
    print(json.dumps(values))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = body[begin:end]
        if entry["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif entry["dtype"] == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif entry["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit("unknown dtype " + entry["dtype"])
        count = int(np.prod(entry["shape"], dtype=np.int64))
        assert arr.size == count, (name, arr.size, count)
        # float32 bit patterns, so that inf/NaN survive JSON
        out[name] = {"dtype": entry["dtype"], "shape": entry["shape"], "bits": arr.astype(np.float32).view(np.int32).tolist()}
    print(json.dumps(out))


def half(values_json):
    x = np.array(json.loads(values_json), dtype=np.float32)
    print(json.dumps(x.astype(np.float16).astype(np.float32).view(np.int32).tolist()))


if __name__ == "__main__":
    {"write": write, "read": read, "half": half}[sys.argv[1]](sys.argv[2])
