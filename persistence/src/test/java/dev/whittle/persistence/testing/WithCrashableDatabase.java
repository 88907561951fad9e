package dev.whittle.persistence.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * On a Spring test class (before its {@code @SpringBootTest}): the class gets a PostgreSQL server of its own, a
 * {@link CrashableDatabase} started before its application context and stopped after it, which test methods take as a
 * parameter to crash and restart. The context is closed after the class ({@link DirtiesContext}), so no later class
 * with the same configuration is handed a context whose server is gone.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CrashableDatabaseExtension.class)
@ContextConfiguration(initializers = CrashableDatabaseExtension.Initializer.class)
@DirtiesContext
public @interface WithCrashableDatabase {
}
