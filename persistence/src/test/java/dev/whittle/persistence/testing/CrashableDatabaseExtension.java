package dev.whittle.persistence.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server of a {@link WithCrashableDatabase} class: started before the class (so before Spring loads its context,
 * which happens when the first test instance is prepared), closed after it, and given to test methods that declare
 * a {@link CrashableDatabase} parameter.
 */
public final class CrashableDatabaseExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CrashableDatabaseExtension.class);

    /** The server of the class being set up, for {@link Initializer} (Spring gives an initializer no test class). */
    private static volatile CrashableDatabase starting;

    @Override
    public void beforeAll(ExtensionContext context) {
        CrashableDatabase database = CrashableDatabase.start();
        context.getStore(NAMESPACE).put(CrashableDatabase.class, database);
        starting = database;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        starting = null;
        CrashableDatabase database = context.getStore(NAMESPACE).remove(CrashableDatabase.class, CrashableDatabase.class);
        if (database != null) {
            database.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CrashableDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(CrashableDatabase.class, CrashableDatabase.class);
    }

    /** Points the application context at the class's server. */
    public static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            CrashableDatabase database = starting;
            if (database == null) {
                throw new IllegalStateException("no crashable database is starting: put @WithCrashableDatabase on the "
                        + "test class, before @SpringBootTest");
            }
            TestPropertyValues.of("spring.datasource.url=" + database.jdbcUrl(),
                    "spring.datasource.username=" + database.username()).applyTo(context);
        }
    }
}
