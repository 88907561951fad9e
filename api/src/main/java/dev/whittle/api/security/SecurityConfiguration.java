package dev.whittle.api.security;

import java.util.ArrayList;
import java.util.List;

import dev.whittle.persistence.team.ApiKeys;
import dev.whittle.persistence.team.Teams;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what. Every request under /api and /actuator needs {@code Authorization: Bearer <key or JWT>}, except
 * the health probes; the dashboard's static files and the API documentation are open (the dashboard sends the key
 * itself). Viewers may GET; submitters may also POST and DELETE; keys and teams are admins'; the actuator's metrics
 * are admins' and metrics keys'. What a caller sees is limited to its team by {@link TeamScopeFilter}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityConfiguration {

    private static final String[] OPEN = {"/", "/index.html", "/app.js", "/app.css", "/dashboard/**", "/assets/**", "/webjars/**", "/favicon.ico",
            "/swagger-ui.html", "/swagger-ui/**", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml",
            "/actuator/health", "/actuator/health/**", "/error"};
    private static final String[] READERS = {"ADMIN", "SUBMITTER", "VIEWER"};

    @Bean
    SecurityFilterChain whittleSecurity(HttpSecurity http, AuthenticationManager bearerAuthentication) throws Exception {
        ProblemSecurityResponses problems = new ProblemSecurityResponses();
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(c -> c.disable())
                .anonymous(a -> {})
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(OPEN).permitAll()
                        .requestMatchers("/actuator/**").hasAnyRole("ADMIN", "METRICS")
                        .requestMatchers("/api/v1/keys", "/api/v1/keys/**", "/api/v1/teams", "/api/v1/teams/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.GET, "/api/**").hasAnyRole(READERS)
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole(READERS)
                        .requestMatchers("/api/**").hasAnyRole("ADMIN", "SUBMITTER")
                        .anyRequest().authenticated())
                .oauth2ResourceServer(rs -> rs
                        .authenticationManagerResolver(request -> bearerAuthentication)
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .addFilterAfter(new TeamScopeFilter(), BearerTokenAuthenticationFilter.class);
        return http.build();
    }

    /**
     * No Micrometer observations of each security filter, authentication and authorization: they wrapped every one
     * of the chain's filters in an observation (and its lambdas) on every request, and nothing reads them. Requests
     * are still timed as a whole ({@code http.server.requests}).
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Keys found valid, trusted for {@code whittle.security.key-cache-ttl}. */
    @Bean
    VerifiedKeys verifiedKeys(ApiKeys keys, SecurityProperties properties) {
        return new VerifiedKeys(keys, properties.keyCacheTtl());
    }

    /** Keys first; a JWT when an issuer or JWK set is configured (or a {@link JwtDecoder} bean is given). */
    @Bean
    AuthenticationManager bearerAuthentication(VerifiedKeys keys, Teams teams, SecurityProperties properties,
                                               ObjectProvider<JwtDecoder> decoders) {
        JwtDecoder decoder = decoders.getIfAvailable(() -> properties.jwt().configured() ? decoder(properties.jwt()) : null);
        List<AuthenticationProvider> providers = new ArrayList<>();
        providers.add(new ApiKeyAuthenticationProvider(keys, decoder != null));
        if (decoder != null) {
            JwtAuthenticationProvider jwt = new JwtAuthenticationProvider(decoder);
            jwt.setJwtAuthenticationConverter(new JwtCallers(properties.jwt(), teams));
            providers.add(jwt);
        }
        return new ProviderManager(providers);
    }

    /** The issuer's keys (found through its configuration on first use) or the JWK set; issuer and audience checked. */
    static JwtDecoder decoder(SecurityProperties.Jwt jwt) {
        boolean hasJwks = jwt.jwkSetUri() != null && !jwt.jwkSetUri().isBlank();
        NimbusJwtDecoder decoder = hasJwks ? NimbusJwtDecoder.withJwkSetUri(jwt.jwkSetUri()).build()
                : NimbusJwtDecoder.withIssuerLocation(jwt.issuerUri()).build();
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(jwt.issuerUri() == null || jwt.issuerUri().isBlank() ? JwtValidators.createDefault()
                : JwtValidators.createDefaultWithIssuer(jwt.issuerUri()));
        if (jwt.audience() != null && !jwt.audience().isBlank()) {
            validators.add(new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(jwt.audience())));
        }
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }
}
