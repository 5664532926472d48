// Registers tools/wgsl-hooks.mjs; used as `node --import tsx --import ./tools/wgsl-register.mjs`.
import { register } from 'node:module';

register('./wgsl-hooks.mjs', import.meta.url);
