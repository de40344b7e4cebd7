package dev.burrow.core.tunnel.ssh.io;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.common.PropertyResolver;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.io.IoUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * One SSH connection's socket, served by one thread. The socket is non-blocking throughout:
 * <ul>
 * <li>Reads: the session's thread waits in {@link Selector#select}, reads what arrived and hands it to MINA's
 * {@link IoHandler} on the spot (decryption, channel dispatch), so an arriving packet reaches the relay thread
 * waiting for it after one wake-up, not two.
 * <li>Writes: the thread that sends a packet (MINA calls {@link #writeBuffer} under its encode lock, in sequence
 * order) writes it to the socket itself; only what the socket does not take at once is queued, and the session's
 * thread finishes it when the socket becomes writable. A caller never waits, as with MINA's NIO2 transport, whose
 * pending futures this one's match.
 * </ul>
 * Non-blocking I/O also means no {@code InterruptibleChannel} hook runs: interrupting a relay thread while it sends
 * (cancelling one connection) must not close the socket that every connection of the tunnel shares.
 */
final class SingleThreadIoSession extends AbstractCloseable implements IoSession {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final SingleThreadIoConnector connector;
    private final IoHandler handler;
    private final SocketChannel channel;
    private final Selector selector;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final int readBufferSize;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    /** Guards {@link #pending}, {@link #shutdownOutputPending} and every write to the socket. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    private boolean shutdownOutputPending;
    private volatile boolean readSuspended;
    /** One completed future serves every write that the socket took at once: it is immutable once done. */
    private final IoWriteFuture written;

    SingleThreadIoSession(SingleThreadIoConnector connector, PropertyResolver properties, IoHandler handler,
                          SocketChannel channel, Selector selector) throws IOException {
        this.connector = connector;
        this.handler = handler;
        this.channel = channel;
        this.selector = selector;
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
        this.readBufferSize = CoreModuleProperties.NIO2_READ_BUFFER_SIZE.getRequired(properties);
        this.written = AbstractIoWriteFuture.fulfilled(this, Boolean.TRUE);
    }

    /** The I/O loop; runs on the session's thread until the session closes. */
    void serve() {
        ByteBuffer buffer = ByteBuffer.allocate(readBufferSize);
        Readable readable = Readable.readable(buffer);
        try {
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            while (channel.isOpen() && !isClosing()) {
                int ops = interestOps();
                if (key.interestOps() != ops) {
                    key.interestOps(ops);
                }
                selector.select();
                selector.selectedKeys().clear();
                if (!key.isValid()) {
                    break;
                }
                if ((ops & SelectionKey.OP_WRITE) != 0 && key.isWritable()) {
                    drain();
                }
                if ((ops & SelectionKey.OP_READ) != 0 && key.isReadable()) {
                    int n = channel.read(buffer);
                    if (n < 0) {
                        log.debug("serve({}) the server closed the connection", this);
                        close(true);
                        break;
                    }
                    buffer.flip();
                    handler.messageReceived(this, readable);
                    buffer.clear();
                }
            }
        } catch (Throwable e) {
            exceptionCaught(e);
        } finally {
            IoUtils.closeQuietly(selector);
        }
    }

    private int interestOps() {
        int ops = readSuspended ? 0 : SelectionKey.OP_READ;
        writeLock.lock();
        try {
            return pending.isEmpty() ? ops : ops | SelectionKey.OP_WRITE;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        PendingWrite write;
        writeLock.lock();
        try {
            if (isClosing() || !channel.isOpen()) {
                PendingWrite failed = new PendingWrite(bytes);
                failed.setValue(new ClosedChannelException());
                return failed;
            }
            if (pending.isEmpty()) {
                channel.write(bytes);
                if (!bytes.hasRemaining()) {
                    return written;
                }
            }
            write = new PendingWrite(bytes);
            pending.add(write);
            if (pending.size() > 1) {
                return write; // the session's thread already waits for the socket to become writable
            }
        } catch (IOException e) {
            exceptionCaught(e);
            PendingWrite failed = new PendingWrite(bytes);
            failed.setValue(e);
            return failed;
        } finally {
            writeLock.unlock();
        }
        selector.wakeup(); // to add OP_WRITE
        return write;
    }

    /** On the session's thread: writes queued packets while the socket takes them, completing their futures. */
    private void drain() throws IOException {
        List<PendingWrite> done = new ArrayList<>();
        writeLock.lock();
        try {
            PendingWrite head;
            while ((head = pending.peek()) != null) {
                channel.write(head.bytes);
                if (head.bytes.hasRemaining()) {
                    break;
                }
                done.add(pending.poll());
            }
            if (pending.isEmpty() && shutdownOutputPending) {
                shutdownOutputPending = false;
                channel.shutdownOutput();
            }
        } finally {
            writeLock.unlock();
        }
        for (PendingWrite write : done) { // listeners may write again: outside the lock, though it is reentrant
            write.setValue(Boolean.TRUE);
        }
    }

    @Override
    public void shutdownOutputStream() throws IOException {
        writeLock.lock();
        try {
            if (pending.isEmpty()) {
                channel.shutdownOutput();
            } else {
                shutdownOutputPending = true;
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void suspendRead() {
        readSuspended = true;
        selector.wakeup();
    }

    @Override
    public void resumeRead() {
        readSuspended = false;
        selector.wakeup();
    }

    private void exceptionCaught(Throwable e) {
        if (closeFuture.isClosed()) {
            return;
        }
        if (isClosing() || !channel.isOpen()) {
            close(true);
            return;
        }
        try {
            handler.exceptionCaught(this, e);
        } catch (Throwable t) {
            log.debug("exceptionCaught({}) the handler failed too: {}", this, t.toString());
            close(true);
        }
    }

    @Override
    protected CloseFuture doCloseGracefully() {
        List<PendingWrite> writes;
        writeLock.lock();
        try {
            writes = List.copyOf(pending);
        } finally {
            writeLock.unlock();
        }
        return builder().when(toString(), writes).build().close(false);
    }

    @Override
    protected void doCloseImmediately() {
        List<PendingWrite> failed;
        writeLock.lock();
        try {
            failed = List.copyOf(pending);
            pending.clear();
        } finally {
            writeLock.unlock();
        }
        for (PendingWrite write : failed) {
            write.setValue(new ClosedChannelException());
        }
        IoUtils.closeQuietly(channel);
        selector.wakeup();
        connector.sessionClosed(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Exception e) {
            log.debug("doCloseImmediately({}) sessionClosed failed: {}", this, e.toString());
        }
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null; // a connected session, never an accepted one
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoService getService() {
        return connector;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "SingleThreadIoSession[local=" + localAddress + ", remote=" + remoteAddress + "]";
    }

    /** A packet the socket did not take at once; MINA's caller keeps its buffer untouched until this is done. */
    private static final class PendingWrite extends AbstractIoWriteFuture {
        final ByteBuffer bytes;

        PendingWrite(ByteBuffer bytes) {
            super(bytes, null);
            this.bytes = bytes;
        }
    }
}
