package dev.whittle.worker.run;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import dev.whittle.persistence.text.StorableText;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Spring Batch stores a failed execution's exit message: the exception's stack trace, message included. A stage
 * failing on task data or a model's output may quote a NUL, which PostgreSQL refuses; that refusal would then end
 * the job in place of the stage's own error. The job repository is therefore wrapped so that every exit message it
 * writes has its NULs replaced ({@link StorableText}).
 */
@Component
class StorableExitMessages implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof JobRepository repository)) {
            return bean;
        }
        return Proxy.newProxyInstance(JobRepository.class.getClassLoader(), new Class<?>[] {JobRepository.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("update") && args != null && args.length == 1) {
                        storable(args[0]);
                    }
                    try {
                        return method.invoke(repository, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void storable(Object execution) {
        switch (execution) {
            case StepExecution step -> step.setExitStatus(storable(step.getExitStatus()));
            case JobExecution job -> job.setExitStatus(storable(job.getExitStatus()));
            default -> {
            }
        }
    }

    private static ExitStatus storable(ExitStatus status) {
        String description = status.getExitDescription();
        return description == null || description.indexOf('\0') < 0 ? status
                : new ExitStatus(status.getExitCode(), StorableText.of(description));
    }
}
