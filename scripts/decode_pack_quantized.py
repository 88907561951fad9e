#!/usr/bin/env python3
"""Decodes one linear weight of a compressed-tensors pack-quantized checkpoint, independently of Whittle.

Reads config.json's quantization_config and the safetensors files with the standard library only (no numpy, no
torch), unpacks MODULE.weight_packed (int32 words, 32 // num_bits codes each from the low bits up, unsigned with an
offset of 2^(num_bits - 1)), MODULE.weight_zero_point (packed the same way down the columns, asymmetric only) and
MODULE.weight_scale, and writes (q - z) * s for every weight, row-major, as little-endian float32 to OUT.

usage: decode_pack_quantized.py MODEL_DIR MODULE OUT
"""
import json
import os
import struct
import sys


def tensors(model_dir):
    """name -> (dtype, shape, bytes) of every tensor of the checkpoint."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    out = {}
    for name in files:
        with open(os.path.join(model_dir, name), "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
            data = f.read()
        for key, info in header.items():
            if key == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            out[key] = (info["dtype"], info["shape"], data[begin:end])
    return out


def values(dtype, raw):
    if dtype == "I32":
        return list(struct.unpack("<%di" % (len(raw) // 4), raw))
    if dtype == "I64":
        return list(struct.unpack("<%dq" % (len(raw) // 8), raw))
    if dtype == "F32":
        return list(struct.unpack("<%df" % (len(raw) // 4), raw))
    if dtype == "BF16":
        halves = struct.unpack("<%dH" % (len(raw) // 2), raw)
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0] for h in halves]
    if dtype == "F16":
        return list(struct.unpack("<%de" % (len(raw) // 2), raw))
    raise ValueError("unsupported dtype " + dtype)


def unpack(words, lines, width, bits):
    """Codes [lines x width] from int32 words packed along each line ([lines x ceil(width / per)])."""
    per = 32 // bits
    stride = (width + per - 1) // per
    mask = (1 << bits) - 1
    offset = 1 << (bits - 1)
    codes = []
    for line in range(lines):
        for c in range(width):
            word = words[line * stride + c // per] & 0xFFFFFFFF
            codes.append(((word >> (bits * (c % per))) & mask) - offset)
    return codes


def main(model_dir, module, out):
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)["quantization_config"]
    assert config["format"] == "pack-quantized", config["format"]
    (group,) = config["config_groups"].values()
    args = group["weights"]
    bits = args["num_bits"]
    all_tensors = tensors(model_dir)
    rows, cols = values(*all_tensors[module + ".weight_shape"][::2])
    dtype, shape, raw = all_tensors[module + ".weight_packed"]
    assert dtype == "I32" and shape[0] == rows
    codes = unpack(values(dtype, raw), rows, cols, bits)
    scale_dtype, scale_shape, scale_raw = all_tensors[module + ".weight_scale"]
    scales = values(scale_dtype, scale_raw)
    groups = scale_shape[1]
    width = cols if args["strategy"] == "channel" else args["group_size"]
    if args["symmetric"]:
        zeros = [0] * (rows * groups)
    else:
        zp_dtype, zp_shape, zp_raw = all_tensors[module + ".weight_zero_point"]
        # packed down the columns: unpack the transpose, then transpose back
        packed = values(zp_dtype, zp_raw)
        transposed = [packed[r * groups + g] for g in range(groups) for r in range(zp_shape[0])]
        by_group = unpack(transposed, groups, rows, bits)
        zeros = [by_group[g * rows + r] for r in range(rows) for g in range(groups)]
    weights = []
    for r in range(rows):
        for c in range(cols):
            g = r * groups + c // width
            weights.append((codes[r * cols + c] - zeros[g]) * scales[g])
    with open(out, "wb") as f:
        f.write(struct.pack("<%df" % len(weights), *weights))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
