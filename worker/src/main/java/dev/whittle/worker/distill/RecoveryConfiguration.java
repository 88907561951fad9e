package dev.whittle.worker.distill;

import dev.whittle.engine.train.finetune.RecoverySet;
import dev.whittle.lab.corpus.KnowledgeRecoverySet;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The built-in recovery sets a DISTILL may name, from the reference corpus, made in memory (never fetched). */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfiguration {

    @Bean
    RecoverySet knowledgeQa() {
        return KnowledgeRecoverySet.qa();
    }

    @Bean
    RecoverySet knowledgeReading() {
        return KnowledgeRecoverySet.reading();
    }
}
