package dev.burrow.core.meta;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One extended attribute: a raw name such as {@code user.mime_type} or {@code system.posix_acl_access}
 * and a raw value. Immutable; the constructor and accessors copy the arrays.
 */
public final class ExtendedAttribute {
    final byte[] name;
    final byte[] value;

    public ExtendedAttribute(byte[] name, byte[] value) {
        this.name = name.clone();
        this.value = value.clone();
    }

    /** An attribute with a UTF-8 name. */
    public static ExtendedAttribute of(String name, byte[] value) {
        return new ExtendedAttribute(name.getBytes(StandardCharsets.UTF_8), value);
    }

    public byte[] name() {
        return name.clone();
    }

    /** The name decoded as UTF-8 (for messages; {@link #name()} is exact). */
    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtendedAttribute other && Arrays.equals(name, other.name)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(name) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return nameString() + "=0x" + HexFormat.of().formatHex(value);
    }
}
