package dev.burrow.core.store;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/** Writes an idx v2 file (spec §8) for the objects of one pack. */
final class PackIndexWriter {
    private PackIndexWriter() { }

    static void write(Path file, ObjectIdTable table, byte[] packSha) throws IOException {
        int[] order = table.sortedById();
        byte[] ids = table.idsArray();
        MessageDigest md = Sha1.newDigest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            DataOutputStream out = new DataOutputStream(new DigestOutputStream(raw, md));
            out.writeInt(0xff744f63);
            out.writeInt(2);
            int[] fanout = new int[256];
            for (int e : order) {
                fanout[ids[e * ObjectId.LENGTH] & 0xff]++;
            }
            int cumulative = 0;
            for (int b = 0; b < 256; b++) {
                cumulative += fanout[b];
                out.writeInt(cumulative);
            }
            for (int e : order) {
                out.write(ids, e * ObjectId.LENGTH, ObjectId.LENGTH);
            }
            for (int e : order) {
                out.writeInt(table.crc(e));
            }
            int large = 0;
            for (int e : order) {
                long offset = table.offset(e);
                if (offset > 0x7fffffffL) {
                    out.writeInt(0x80000000 | large++);
                } else {
                    out.writeInt((int) offset);
                }
            }
            for (int e : order) {
                long offset = table.offset(e);
                if (offset > 0x7fffffffL) {
                    out.writeLong(offset);
                }
            }
            out.write(packSha);
            out.flush();
            raw.write(md.digest());
            raw.flush();
            ch.force(true);
        }
    }
}
