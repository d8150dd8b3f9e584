package io.kindling.api.gateway;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Kindling certificate authority and the gateway's certificate signed by it, as PEM files in one
 * directory ({@code $KINDLING_HOME/tls} for {@code ./kindling up}): {@code ca.pem} (what clients
 * trust: {@code GRPC_DEFAULT_SSL_ROOTS_FILE_PATH}), {@code gateway.pem} (the gateway's chain) and
 * {@code gateway-key.pem} (its PKCS#8 key, owner-only). EC P-256 keys, SHA-256 signatures.
 */
public final class GatewayCertificates {
    public static final String CA_FILE = "ca.pem";
    public static final String CHAIN_FILE = "gateway.pem";
    public static final String KEY_FILE = "gateway-key.pem";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    private GatewayCertificates(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates a fresh CA and a gateway certificate valid for {@code names} (DNS names, or IP
     * addresses such as {@code 127.0.0.1}) for {@code validity}, in {@code dir}.
     */
    public static GatewayCertificates create(Path dir, List<String> names, Duration validity) {
        try {
            Files.createDirectories(dir);
            KeyPair caKeys = ecKeys();
            X500Name caName = new X500Name("CN=Kindling CA");
            Instant now = Instant.now();
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKeys);
            KeyPair gatewayKeys = ecKeys();
            X509Certificate gateway = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), new X500Name("CN=" + names.getFirst()), gatewayKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names)), caKeys);
            Files.writeString(dir.resolve(CA_FILE), pem(ca));
            Files.writeString(dir.resolve(CHAIN_FILE), pem(gateway) + pem(ca));
            Path key = dir.resolve(KEY_FILE);
            Files.deleteIfExists(key);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, pem(new JcaPKCS8Generator(gatewayKeys.getPrivate(), null)));
            return new GatewayCertificates(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the gateway's certificates to " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the gateway's certificates", e);
        }
    }

    public Path caFile() {
        return dir.resolve(CA_FILE);
    }

    public Path chainFile() {
        return dir.resolve(CHAIN_FILE);
    }

    public Path keyFile() {
        return dir.resolve(KEY_FILE);
    }

    private static GeneralNames alternativeNames(List<String> names) {
        List<GeneralName> all = new ArrayList<>();
        for (String name : names) {
            boolean ip = name.matches("^[0-9.]+$") || name.contains(":");
            all.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        return new GeneralNames(all.toArray(GeneralName[]::new));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
