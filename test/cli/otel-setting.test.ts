/** When `accrete run` exports OpenTelemetry traces: --otel, the OTEL_* endpoint variables, --no-otel, and protocols it cannot speak. */
import { describe, expect, it } from 'vitest';
import { otelSetting, readEnvironment } from '../../src/cli/config.js';

const env = (vars: Record<string, string>) => readEnvironment(vars);

describe('otelSetting', () => {
  it('is off unless asked for or an OTLP endpoint is configured', () => {
    expect(otelSetting({}, env({}))).toEqual({});
    expect(otelSetting({ otel: true }, env({}))).toEqual({ options: {} });
    expect(otelSetting({ otelEndpoint: 'http://collector:4318' }, env({}))).toEqual({ options: { endpoint: 'http://collector:4318' } });
    expect(otelSetting({}, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toEqual({ options: {} });
    expect(otelSetting({}, env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }))).toEqual({ options: {} });
    expect(otelSetting({ otel: false }, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toEqual({});
  });

  it('a protocol other than OTLP over HTTP is an error when asked for, a warning (and off) when only the environment says so', () => {
    const grpc = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    expect(otelSetting({ otel: true }, env(grpc)).error).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc: accrete sends OTLP over HTTP/);
    const implicit = otelSetting({}, env(grpc));
    expect(implicit.options).toBeUndefined();
    expect(implicit.warning).toMatch(/runs are not exported/);
    expect(otelSetting({ otel: true }, env({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }))).toEqual({ options: {} });
  });
});
