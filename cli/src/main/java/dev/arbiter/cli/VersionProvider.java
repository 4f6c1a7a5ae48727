package dev.arbiter.cli;

import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the jar. */
public class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/META-INF/maven/dev.arbiter/arbiter-cli/pom.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {"arbiter " + p.getProperty("version", "(version unknown: not run from the packaged jar)")};
    }
}
