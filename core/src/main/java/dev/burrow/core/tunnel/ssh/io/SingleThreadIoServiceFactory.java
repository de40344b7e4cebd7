package dev.burrow.core.tunnel.ssh.io;

import java.util.Objects;
import org.apache.sshd.common.Factory;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/**
 * MINA's factory of {@link SingleThreadIoConnector}s, for an {@code SshClient}:
 * {@code client.setIoServiceFactoryFactory(SingleThreadIoServiceFactory.FACTORY)}. Client only: a tunnel accepts
 * its local connections itself, never through MINA, so there is no acceptor.
 */
public final class SingleThreadIoServiceFactory extends AbstractCloseable implements IoServiceFactory {
    /** Each session owns its thread, so MINA's executor setting has nothing to configure. */
    public static final IoServiceFactoryFactory FACTORY = new IoServiceFactoryFactory() {
        @Override
        public IoServiceFactory create(FactoryManager manager) {
            return new SingleThreadIoServiceFactory(manager);
        }

        @Override
        public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
            // Nothing runs on an executor here.
        }
    };

    private final FactoryManager manager;
    private volatile IoServiceEventListener listener;

    SingleThreadIoServiceFactory(FactoryManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    @Override
    public IoConnector createConnector(IoHandler handler) {
        SingleThreadIoConnector connector = new SingleThreadIoConnector(manager, handler);
        connector.setIoServiceEventListener(listener);
        return connector;
    }

    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
        throw new UnsupportedOperationException("Burrow's SSH transport is client-only: it accepts no connections");
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return listener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.listener = listener;
    }
}
