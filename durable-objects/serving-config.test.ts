import { describe, expect, it } from 'vitest';
import { ConfigError, gpuHostUrls, homeHost, replicaCount, replicaName, servedModels, type ServingVars } from './serving-config.ts';

const base: ServingVars = { MODEL_KEY: 'squeezenet1.1-7.onnx', GPU_HOST_URL: 'ws://127.0.0.1:8790' };
const three = { ...base, GPU_HOST_URLS: 'ws://127.0.0.1:8790, ws://127.0.0.1:8791,ws://127.0.0.1:8792' };

describe('serving config', () => {
  it('defaults to one model, one host, one replica: the layout before replicas', () => {
    expect(servedModels(base)).toEqual(['squeezenet1.1-7.onnx']);
    expect(gpuHostUrls(base)).toEqual(['ws://127.0.0.1:8790']);
    expect(replicaCount(base)).toBe(1);
    expect(replicaName({ key: 'squeezenet1.1-7.onnx', replica: 0 })).toBe('squeezenet1.1-7.onnx');
  });

  it('GPU_HOST_URLS wins over GPU_HOST_URL, MODELS over MODEL_KEY; REPLICAS defaults to the number of hosts', () => {
    const vars = { ...three, MODELS: 'a.onnx,b.onnx' };
    expect(gpuHostUrls(vars)).toEqual(['ws://127.0.0.1:8790', 'ws://127.0.0.1:8791', 'ws://127.0.0.1:8792']);
    expect(servedModels(vars)).toEqual(['a.onnx', 'b.onnx']);
    expect(replicaCount(vars)).toBe(3);
    expect(replicaCount({ ...vars, REPLICAS: '5' })).toBe(5);
    expect(replicaName({ key: 'b.onnx', replica: 2 })).toBe('b.onnx#2');
  });

  it('deals replicas round the hosts across models, so every host gets the same share', () => {
    const layout = (vars: ServingVars) => servedModels(vars).map((key) => Array.from({ length: replicaCount(vars) }, (_, replica) => homeHost(vars, { key, replica })));
    expect(layout({ ...three, MODELS: 'a,b' })).toEqual([[0, 1, 2], [0, 1, 2]]);
    // One replica each: the models go to different hosts instead of all to the first.
    expect(layout({ ...three, MODELS: 'a,b,c', REPLICAS: '1' })).toEqual([[0], [1], [2]]);
    expect(layout({ ...three, MODELS: 'a,b,c', REPLICAS: '2' })).toEqual([[0, 1], [2, 0], [1, 2]]);
  });

  it.each([
    [{ REPLICAS: '0' }, /REPLICAS must be a whole number from 1 to 64/],
    [{ REPLICAS: 'two' }, /REPLICAS must be a whole number/],
    [{ MODELS: 'a,b,a' }, /MODELS lists "a" twice/],
    [{ GPU_HOST_URLS: 'ws://x:1,ws://x:1' }, /GPU_HOST_URLS lists "ws:\/\/x:1" twice/],
  ])('refuses %j with a message naming the var', (extra, message) => {
    const vars = { ...three, ...extra };
    expect(() => [replicaCount(vars), servedModels(vars), gpuHostUrls(vars)]).toThrow(ConfigError);
    expect(() => [replicaCount(vars), servedModels(vars), gpuHostUrls(vars)]).toThrow(message);
  });

  it('refuses a replica of a model that is not served', () => {
    expect(() => homeHost(three, { key: 'other.onnx', replica: 0 })).toThrow(/"other.onnx" is not one of the served models \(squeezenet1.1-7.onnx\)/);
  });
});
