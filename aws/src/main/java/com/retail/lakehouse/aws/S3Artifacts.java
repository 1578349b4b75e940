package com.retail.lakehouse.aws;

import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Uploads build artifacts to an S3 prefix, skipping a file whose SHA-256 the object there already
 * carries (user metadata {@code sha256}, hex), so that a redeploy of an unchanged jar sends
 * nothing.
 */
final class S3Artifacts {
  /** The object metadata key (sent as {@code x-amz-meta-sha256}). */
  static final String SHA256_METADATA = "sha256";

  /** Where an upload went and whether it was skipped. */
  record Upload(String uri, String sha256, boolean skipped) {}

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  /**
   * @param location {@code s3://bucket} or {@code s3://bucket/prefix}
   */
  S3Artifacts(S3Client s3, String location) {
    this.s3 = s3;
    String[] parts = parse(location);
    this.bucket = parts[0];
    this.prefix = parts[1];
  }

  /** {@code s3://bucket/a/b/} as {bucket, "a/b/"} (prefix empty or ending in '/'). */
  static String[] parse(String location) {
    if (location == null || !location.startsWith("s3://") || location.length() == 5) {
      throw new UsageException("--artifacts must be s3://bucket/prefix, not " + location);
    }
    String rest = location.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new UsageException("--artifacts must be s3://bucket/prefix, not " + location);
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    return new String[] {bucket, prefix};
  }

  /** The s3:// URI of {@code name} under the prefix. */
  String uri(String name) {
    return "s3://" + bucket + "/" + prefix + name;
  }

  /** Uploads {@code file} as {@code name} under the prefix unless the same bytes are there. */
  Upload upload(Path file, String name) throws IOException {
    String sha256 = sha256(file);
    String key = prefix + name;
    String there = remoteSha256(key);
    if (sha256.equals(there)) {
      return new Upload(uri(name), sha256, true);
    }
    s3.putObject(
        r -> r.bucket(bucket).key(key).metadata(Map.of(SHA256_METADATA, sha256)),
        RequestBody.fromFile(file));
    return new Upload(uri(name), sha256, false);
  }

  /** The SHA-256 the object carries, or null when there is no object (or it carries none). */
  private String remoteSha256(String key) {
    try {
      HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
      return head.metadata().get(SHA256_METADATA);
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null; // HEAD has no body: some stores answer a bare 404 the SDK cannot name
      }
      throw e;
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
