/** A tunnel's workload on loopback that the launcher runs to train the JDK's AOT cache for {@code burrow tunnel}. */
package dev.burrow.core.tunnel.training;
