package com.retail.lakehouse.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.util.VersionInfo;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A minimal Amazon EMR Serverless client covering two calls of its REST/JSON API: {@code
 * StartJobRun} ({@code POST /applications/{applicationId}/jobruns}, a Spark job driver) and {@code
 * GetJobRun} ({@code GET /applications/{applicationId}/jobruns/{jobRunId}}: state and state
 * details).
 *
 * <p>Hand-written because the AWS SDK's own {@code software.amazon.awssdk:emrserverless} module is
 * not served by this machine's Maven registry. It is built from the SDK's pieces, so that it
 * behaves like the generated clients beside it: credentials and region from {@link AwsClients} (the
 * default chains), SigV4 by the SDK's {@link AwsV4HttpSigner} (signing name {@value
 * #SIGNING_NAME}), the SDK's sync HTTP client (Apache 5) and the SDK's standard retry strategy
 * ({@link AwsClients#retryStrategy()}: throttling, 5xx and I/O errors retried with backoff). A
 * service error arrives as an {@link AwsServiceException} carrying the service's error code ({@code
 * x-amzn-ErrorType}) and message, which is what the retry strategy and {@link AwsCommand}'s
 * one-line error read.
 */
final class EmrServerlessClient implements AutoCloseable {
  static final String SIGNING_NAME = "emr-serverless";
  private static final String SERVICE_NAME = "EMR Serverless";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The job states of GetJobRun; SUCCESS, FAILED and CANCELLED are final. */
  enum State {
    SUBMITTED,
    PENDING,
    SCHEDULED,
    RUNNING,
    SUCCESS,
    FAILED,
    CANCELLING,
    CANCELLED,
    QUEUED;

    boolean terminal() {
      return this == SUCCESS || this == FAILED || this == CANCELLED;
    }
  }

  /**
   * A StartJobRun of a Spark job (a {@code sparkSubmit} job driver).
   *
   * @param clientToken the idempotency token: the same for every attempt of one submission
   * @param logUri the job run's S3 log location ({@code s3MonitoringConfiguration}), or null
   */
  record StartJobRun(
      String applicationId,
      String clientToken,
      String executionRoleArn,
      String name,
      String entryPoint,
      List<String> entryPointArguments,
      String sparkSubmitParameters,
      String logUri) {
    StartJobRun {
      Objects.requireNonNull(applicationId, "applicationId");
      Objects.requireNonNull(clientToken, "clientToken");
      Objects.requireNonNull(executionRoleArn, "executionRoleArn");
      Objects.requireNonNull(entryPoint, "entryPoint");
      entryPointArguments = List.copyOf(entryPointArguments);
    }
  }

  /** A GetJobRun answer: the state and the service's details on it (null when it gave none). */
  record JobRun(State state, String stateDetails) {}

  private final URI endpoint;
  private final Region region;
  private final AwsCredentialsProvider credentials;
  private final RetryStrategy retries;
  private final SdkHttpClient http;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  private EmrServerlessClient(
      URI endpoint, Region region, AwsCredentialsProvider credentials, RetryStrategy retries) {
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
    this.retries = retries;
    this.http = Apache5HttpClient.create();
  }

  /** A client on {@code aws}'s credentials and region, at its endpoint override if it has one. */
  static EmrServerlessClient create(AwsClients aws) {
    URI endpoint = aws.endpoint() != null ? aws.endpoint() : endpoint(aws.region());
    return new EmrServerlessClient(
        endpoint, aws.region(), aws.credentials(), AwsClients.retryStrategy());
  }

  /** {@code https://emr-serverless.<region>.<partition's domain>}. */
  static URI endpoint(Region region) {
    RegionMetadata metadata = region.metadata();
    String domain = metadata != null ? metadata.domain() : "amazonaws.com";
    return URI.create("https://" + SIGNING_NAME + "." + region.id() + "." + domain);
  }

  /** Starts the job run; returns its id. */
  String startJobRun(StartJobRun request) {
    ObjectNode body = JSON.createObjectNode();
    body.put("clientToken", request.clientToken());
    body.put("executionRoleArn", request.executionRoleArn());
    if (request.name() != null) {
      body.put("name", request.name());
    }
    ObjectNode sparkSubmit = body.putObject("jobDriver").putObject("sparkSubmit");
    sparkSubmit.put("entryPoint", request.entryPoint());
    request.entryPointArguments().forEach(sparkSubmit.putArray("entryPointArguments")::add);
    if (request.sparkSubmitParameters() != null) {
      sparkSubmit.put("sparkSubmitParameters", request.sparkSubmitParameters());
    }
    if (request.logUri() != null) {
      body.putObject("configurationOverrides")
          .putObject("monitoringConfiguration")
          .putObject("s3MonitoringConfiguration")
          .put("logUri", request.logUri());
    }
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode answer =
        call(
            SdkHttpMethod.POST,
            "/applications/" + segment(request.applicationId()) + "/jobruns",
            bytes);
    String jobRunId = answer.path("jobRunId").asText(null);
    if (jobRunId == null) {
      throw SdkClientException.create(SERVICE_NAME + " answered StartJobRun without a jobRunId");
    }
    return jobRunId;
  }

  /** The job run's state and state details. */
  JobRun getJobRun(String applicationId, String jobRunId) {
    JsonNode run =
        call(
                SdkHttpMethod.GET,
                "/applications/" + segment(applicationId) + "/jobruns/" + segment(jobRunId),
                null)
            .path("jobRun");
    String state = run.path("state").asText(null);
    State parsed;
    try {
      parsed = State.valueOf(String.valueOf(state));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          SERVICE_NAME + " answered an unknown job run state: " + state);
    }
    return new JobRun(parsed, run.path("stateDetails").asText(null));
  }

  private static String segment(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("an empty path segment");
    }
    return SdkHttpUtils.urlEncode(value);
  }

  /** One API call with the SDK's retry strategy deciding which failures are retried, and when. */
  private JsonNode call(SdkHttpMethod method, String path, byte[] body) {
    RetryToken token =
        retries.acquireInitialToken(AcquireInitialTokenRequest.create(SIGNING_NAME)).token();
    while (true) {
      try {
        JsonNode answer = send(method, path, body);
        retries.recordSuccess(RecordSuccessRequest.create(token));
        return answer;
      } catch (SdkException e) {
        RefreshRetryTokenResponse refresh;
        try {
          refresh =
              retries.refreshRetryToken(
                  RefreshRetryTokenRequest.builder().token(token).failure(e).build());
        } catch (TokenAcquisitionFailedException notRetried) {
          throw e;
        }
        token = refresh.token();
        sleep(refresh.delay());
      }
    }
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SdkClientException.builder().message("interrupted while retrying").cause(e).build();
    }
  }

  /** One signed attempt: the parsed JSON answer, or the service's error as an exception. */
  private JsonNode send(SdkHttpMethod method, String path, byte[] body) {
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .uri(endpoint)
            .encodedPath(path)
            .method(method)
            .putHeader("Accept", "application/json")
            .putHeader("User-Agent", "lakehouse aws-sdk-java/" + VersionInfo.SDK_VERSION);
    ContentStreamProvider payload = null;
    if (body != null) {
      request
          .putHeader("Content-Type", "application/json")
          .putHeader("Content-Length", Integer.toString(body.length));
      payload = ContentStreamProvider.fromByteArray(body);
    }
    ContentStreamProvider unsignedPayload = payload;
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(credentials.resolveCredentials())
                    .request(request.build())
                    .payload(unsignedPayload)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
    HttpExecuteResponse response;
    byte[] answer;
    try {
      response =
          http.prepareRequest(
                  HttpExecuteRequest.builder()
                      .request(signed.request())
                      .contentStreamProvider(signed.payload().orElse(null))
                      .build())
              .call();
      answer =
          response.responseBody().isPresent()
              ? readAll(response.responseBody().get())
              : new byte[0];
    } catch (IOException e) {
      throw SdkClientException.builder()
          .message(SERVICE_NAME + " at " + endpoint + ": " + e)
          .cause(e)
          .build();
    }
    int status = response.httpResponse().statusCode();
    JsonNode json = parse(answer);
    if (status / 100 == 2) {
      return json;
    }
    String code =
        response
            .httpResponse()
            .firstMatchingHeader("x-amzn-ErrorType")
            .or(() -> Optional.ofNullable(json.path("__type").asText(null)))
            .map(EmrServerlessClient::errorCode)
            .orElse("HTTP " + status);
    String message = json.path("message").asText(json.path("Message").asText(""));
    throw AwsServiceException.builder()
        .message(code + ": " + message)
        .statusCode(status)
        .requestId(response.httpResponse().firstMatchingHeader("x-amzn-RequestId").orElse(null))
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage(message)
                .serviceName(SERVICE_NAME)
                .sdkHttpResponse(response.httpResponse())
                .build())
        .build();
  }

  /**
   * {@code ValidationException:http://internal...} and {@code ns#ValidationException} as the name.
   */
  static String errorCode(String raw) {
    String code = raw.strip();
    int colon = code.indexOf(':');
    if (colon >= 0) {
      code = code.substring(0, colon);
    }
    int hash = code.lastIndexOf('#');
    return hash >= 0 ? code.substring(hash + 1) : code;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  /** The answer as JSON; an empty or non-JSON body (a proxy's error page) as an empty object. */
  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(new String(body, StandardCharsets.UTF_8));
      return node != null && node.isObject() ? node : JSON.createObjectNode();
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
