package dev.whittle.engine.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types a safetensors file may hold, under the names its header uses. */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The name in a safetensors header ("BF16", "F32", ...). */
    public String safetensorsName() {
        return name();
    }

    /** The dtype a safetensors header names; throws {@link IllegalArgumentException} listing the known ones. */
    public static DType parse(String safetensorsName) {
        for (DType type : values()) {
            if (type.name().equals(safetensorsName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + safetensorsName + "' (known: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
    }

    /** The dtype for a config.json {@code torch_dtype} ("bfloat16", "float16", "float32"), or null if none fits. */
    public static DType fromTorchName(String torchDtype) {
        if (torchDtype == null) {
            return null;
        }
        return switch (torchDtype) {
            case "bfloat16" -> BF16;
            case "float16", "half" -> F16;
            case "float32", "float" -> F32;
            case "float64", "double" -> F64;
            default -> null;
        };
    }

    /** The config.json {@code torch_dtype} name of a floating-point dtype. */
    public String torchName() {
        return switch (this) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case F32 -> "float32";
            case F64 -> "float64";
            case I64 -> "int64";
            case I32 -> "int32";
            case I16 -> "int16";
            case I8 -> "int8";
            case U8 -> "uint8";
            case BOOL -> "bool";
        };
    }
}
