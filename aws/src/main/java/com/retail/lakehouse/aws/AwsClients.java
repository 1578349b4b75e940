package com.retail.lakehouse.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * Credentials, region and retries for every client of {@code ./lakehouse athena} and {@code
 * ./lakehouse deploy}: credentials and region come only from the SDK's default provider chains
 * (environment, system properties, ~/.aws/config and credentials, SSO, web identity, container and
 * instance roles); nothing here reads a key of its own.
 */
final class AwsClients {
  /** One line on how to set credentials up, for the "no credentials" error. */
  static final String CREDENTIALS_HINT =
      "no AWS credentials found: run `aws configure` (or `aws sso login`), or set AWS_PROFILE, or"
          + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

  static final String REGION_HINT =
      "no AWS region found: set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or region in"
          + " ~/.aws/config (aws configure)";

  /**
   * Throttling (ThrottlingException, TooManyRequestsException, SlowDown...) and transient errors
   * are retried by the SDK's standard retry strategy, which knows AWS's throttling error codes:
   * exponential backoff with jitter, a longer one for throttling, up to this many attempts.
   */
  static final int MAX_ATTEMPTS = 8;

  /** A command-line-facing failure of the setup (credentials, region): one line, exit 1. */
  static final class SetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SetupException(String message) {
      super(message);
    }
  }

  private final URI endpoint;
  private final AwsCredentialsProvider credentials;
  private final Region region;

  private AwsClients(URI endpoint, AwsCredentialsProvider credentials, Region region) {
    this.endpoint = endpoint;
    this.credentials = credentials;
    this.region = region;
  }

  /**
   * Resolves credentials and region from the default chains now, so that a missing one fails before
   * any request with a line that says how to configure it.
   *
   * @param endpoint the {@code --endpoint-url} override, or null for AWS's own endpoints
   */
  static AwsClients resolve(URI endpoint) {
    Region region;
    try {
      region = new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new SetupException(REGION_HINT);
    }
    // A fresh chain (not the shared DefaultCredentialsProvider.create()), which caches the provider
    // that answered first.
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    try {
      credentials.resolveCredentials();
    } catch (SdkClientException e) {
      throw new SetupException(CREDENTIALS_HINT);
    }
    return new AwsClients(endpoint, credentials, region);
  }

  Region region() {
    return region;
  }

  URI endpoint() {
    return endpoint;
  }

  /** The default chain's credentials (for a client not built by the SDK: EmrServerlessClient). */
  AwsCredentialsProvider credentials() {
    return credentials;
  }

  /**
   * The SDK's standard retry strategy as every client here uses it: what it retries (throttling
   * error codes and 429, 5xx, I/O errors) and how long it waits come from the SDK; only the number
   * of attempts and the throttling backoff are set here.
   */
  static RetryStrategy retryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(MAX_ATTEMPTS)
        .throttlingBackoffStrategy(
            BackoffStrategy.exponentialDelay(Duration.ofMillis(500), Duration.ofSeconds(20)))
        .build();
  }

  /** Applies credentials, region, retries and the endpoint override to a client builder. */
  <B extends AwsClientBuilder<B, C>, C> C build(B builder) {
    return build(builder, endpoint);
  }

  /** Like {@link #build(AwsClientBuilder)} with an endpoint of this client's own. */
  <B extends AwsClientBuilder<B, C>, C> C build(B builder, URI endpointOverride) {
    builder
        .credentialsProvider(credentials)
        .region(region)
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().retryStrategy(retryStrategy()).build());
    if (endpointOverride != null) {
      builder.endpointOverride(endpointOverride);
    }
    return builder.build();
  }
}
