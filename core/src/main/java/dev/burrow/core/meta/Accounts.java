package dev.burrow.core.meta;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User and group names as raw bytes, from libc's {@code get*_r} functions (so NSS sources such as LDAP
 * count), cached for the life of the process as bup does: a save looks up the same few ids for every
 * file. Lookup errors count as "no such account". Thread safe.
 */
final class Accounts {
    private static final System.Logger LOG = System.getLogger(Accounts.class.getName());
    private static final byte[] NO_NAME = new byte[0];
    private static final long NO_ID = -1;
    /** get*_r asks for a bigger buffer with ERANGE; groups with many members need one. Stop somewhere. */
    private static final long MAX_BUFFER = 1L << 26;

    private static final Map<Long, byte[]> USER_NAMES = new ConcurrentHashMap<>();
    private static final Map<Long, byte[]> GROUP_NAMES = new ConcurrentHashMap<>();
    private static final Map<ByteBuffer, Long> USER_IDS = new ConcurrentHashMap<>();
    private static final Map<ByteBuffer, Long> GROUP_IDS = new ConcurrentHashMap<>();

    // struct passwd {pw_name, pw_passwd, pw_uid, pw_gid, ...}, struct group {gr_name, gr_passwd, gr_gid, ...}
    private static final long PASSWD_SIZE = 48;
    private static final long GROUP_SIZE = 32;
    private static final long ID_OFFSET = 16;

    private Accounts() {
    }

    private static final class Getpwuid {
        static final MethodHandle H = bind("getpwuid_r", JAVA_INT);
    }

    private static final class Getgrgid {
        static final MethodHandle H = bind("getgrgid_r", JAVA_INT);
    }

    private static final class Getpwnam {
        static final MethodHandle H = bind("getpwnam_r", ADDRESS);
    }

    private static final class Getgrnam {
        static final MethodHandle H = bind("getgrnam_r", ADDRESS);
    }

    private static MethodHandle bind(String name, MemoryLayout key) {
        return Posix.downcall(Linker.nativeLinker().defaultLookup(), name,
                FunctionDescriptor.of(JAVA_INT, key, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }

    /** The user name of {@code uid}, or empty if it has none. Do not modify the array. */
    static byte[] userName(long uid) {
        byte[] name = USER_NAMES.get(uid);
        if (name == null) {
            name = lookUpName(Getpwuid.H, uid, PASSWD_SIZE);
            USER_NAMES.putIfAbsent(uid, name);
        }
        return name;
    }

    /** The group name of {@code gid}, or empty if it has none. Do not modify the array. */
    static byte[] groupName(long gid) {
        byte[] name = GROUP_NAMES.get(gid);
        if (name == null) {
            name = lookUpName(Getgrgid.H, gid, GROUP_SIZE);
            GROUP_NAMES.putIfAbsent(gid, name);
        }
        return name;
    }

    /** The uid of user {@code name} on this machine, or -1 if there is none. */
    static long userId(byte[] name) {
        ByteBuffer key = ByteBuffer.wrap(name.clone());
        Long id = USER_IDS.get(key);
        if (id == null) {
            id = lookUpId(Getpwnam.H, key.array(), PASSWD_SIZE);
            USER_IDS.putIfAbsent(key, id);
        }
        return id;
    }

    /** The gid of group {@code name} on this machine, or -1 if there is none. */
    static long groupId(byte[] name) {
        ByteBuffer key = ByteBuffer.wrap(name.clone());
        Long id = GROUP_IDS.get(key);
        if (id == null) {
            id = lookUpId(Getgrnam.H, key.array(), GROUP_SIZE);
            GROUP_IDS.putIfAbsent(key, id);
        }
        return id;
    }

    private static byte[] lookUpName(MethodHandle function, long id, long structSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = lookUp(arena, function, (int) id, structSize, "id " + id);
            return entry == null ? NO_NAME : Posix.cString(entry.get(ADDRESS, 0));
        }
    }

    private static long lookUpId(MethodHandle function, byte[] name, long structSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cname = Posix.cString(arena, name);
            MemorySegment entry = lookUp(arena, function, cname, structSize, "a name");
            return entry == null ? NO_ID : Integer.toUnsignedLong(entry.get(JAVA_INT, ID_OFFSET));
        }
    }

    /** Calls a get*_r function with key {@code key} (an int or a C string); the filled struct, or null. */
    private static MemorySegment lookUp(Arena arena, MethodHandle function, Object key, long structSize,
            String what) {
        MemorySegment struct = arena.allocate(structSize, 8);
        MemorySegment result = arena.allocate(ADDRESS);
        for (long size = 1024; ; size *= 4) {
            MemorySegment buffer = arena.allocate(size);
            int rc;
            try {
                rc = key instanceof Integer id
                        ? (int) function.invokeExact((int) id, struct, buffer, size, result)
                        : (int) function.invokeExact((MemorySegment) key, struct, buffer, size, result);
            } catch (Throwable t) {
                throw Posix.rethrow(t);
            }
            if (rc == Posix.ERANGE && size < MAX_BUFFER) {
                continue;
            }
            if (rc != 0) {
                LOG.log(System.Logger.Level.DEBUG, "account lookup of {0} failed: {1}", what, Posix.strerror(rc));
                return null;
            }
            return result.get(ADDRESS, 0).equals(MemorySegment.NULL) ? null : struct;
        }
    }
}
