import { describe, expect, it } from 'vitest';
import { driverFileCandidates, missingPieces, probeVulkan, type SystemView } from '../../scripts/vulkan-diagnosis.ts';

const NVIDIA_ICD = JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.4.312' } });
const LVP_ICD = JSON.stringify({ ICD: { library_path: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so' } });

/**
 * A machine described by its files (path -> contents) and the libraries ldconfig lists; the NVIDIA driver library
 * needs libGLdispatch.so.0, found only when ldconfig lists it too.
 */
function machine(files: Record<string, string>, libs: Record<string, string>, env: Record<string, string> = {}): SystemView {
  return {
    ldd: (p) => (p.endsWith('libGLX_nvidia.so.0') ? `\tlibGLdispatch.so.0 => ${libs['libGLdispatch.so.0'] ?? 'not found'}\n` : ''),
    ldconfig: () => Object.entries(libs).map(([name, path]) => `\t${name} (libc6,x86-64) => ${path}`).join('\n'),
    exists: (p) => p in files || Object.values(libs).includes(p),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT ${p}`);
      return files[p];
    },
    readdir: (dir) => Object.keys(files).filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')).map((p) => p.slice(dir.length + 1)),
    env,
  };
}

const LOADER = { 'libvulkan.so.1': '/lib/x86_64-linux-gnu/libvulkan.so.1' };
const GLVND = { 'libGLdispatch.so.0': '/usr/lib/x86_64-linux-gnu/libGLdispatch.so.0', 'libGLX.so.0': '/usr/lib/x86_64-linux-gnu/libGLX.so.0', 'libEGL.so.1': '/usr/lib/x86_64-linux-gnu/libEGL.so.1' };
const NVIDIA_LIB = { 'libGLX_nvidia.so.0': '/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0', ...GLVND };
const KERNEL = { '/proc/driver/nvidia/version': 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04\n', '/dev/nvidia0': '' };

describe('Vulkan diagnosis', () => {
  it('finds nothing missing on a complete NVIDIA machine', () => {
    const p = probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, ...KERNEL }, { ...LOADER, ...NVIDIA_LIB }));
    expect(p.loader).toBe('/lib/x86_64-linux-gnu/libvulkan.so.1');
    expect(p.icds).toEqual([{ path: '/usr/share/vulkan/icd.d/nvidia_icd.json', searched: true, libraryPath: 'libGLX_nvidia.so.0', libraryFound: true, missingDeps: [] }]);
    expect(p.deviceNodes).toEqual(['/dev/nvidia0']);
    expect(missingPieces(p)).toEqual([]);
  });

  it('names the loader when libvulkan.so.1 is absent', () => {
    const missing = missingPieces(probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, ...KERNEL }, NVIDIA_LIB)));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^Vulkan loader: libvulkan\.so\.1 is not installed \(apt-get install -y libvulkan1/);
  });

  it('names the ICD when only a CPU implementation (lavapipe) is installed', () => {
    const missing = missingPieces(probeVulkan(machine({ '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': LVP_ICD, '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so': '', ...KERNEL }, LOADER)));
    expect(missing).toEqual([expect.stringMatching(/^Vulkan driver \(ICD\): no hardware driver manifest .*\(only lvp_icd\.x86_64\.json, a CPU implementation\)/)]);
  });

  it('names the driver library an ICD points to when the linker cannot find it', () => {
    const missing = missingPieces(probeVulkan(machine({ '/etc/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, ...KERNEL }, { ...LOADER, ...GLVND })));
    expect(missing).toEqual([expect.stringMatching(/^Vulkan driver library: nvidia_icd\.json names libGLX_nvidia\.so\.0, which the dynamic linker cannot find/)]);
  });

  it('names a dependency the NVIDIA library cannot load, and its package', () => {
    const { 'libGLdispatch.so.0': _, ...rest } = NVIDIA_LIB;
    const missing = missingPieces(probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, ...KERNEL }, { ...LOADER, ...rest })));
    expect(missing).toEqual([
      'Vulkan driver library dependencies: libGLX_nvidia.so.0 needs libGLdispatch.so.0, which the dynamic linker cannot find (apt-get install -y libglvnd0; offline: dpkg -x the copied .deb files / and run ldconfig)',
      'GL dispatch for the NVIDIA Vulkan driver: libGLdispatch.so.0 not found (apt-get install -y libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0; offline: dpkg -x the copied .deb files / and run ldconfig)',
    ]);
  });

  it('names the glvnd libraries the NVIDIA driver loads at run time (an H100 container with only libvulkan1 added)', () => {
    const missing = missingPieces(probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, ...KERNEL }, { ...LOADER, 'libGLX_nvidia.so.0': NVIDIA_LIB['libGLX_nvidia.so.0'], 'libGLdispatch.so.0': GLVND['libGLdispatch.so.0'] })));
    expect(missing).toEqual(['GL dispatch for the NVIDIA Vulkan driver: libGLX.so.0, libEGL.so.1 not found (apt-get install -y libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0; offline: dpkg -x the copied .deb files / and run ldconfig)']);
  });

  it('names the kernel driver when no GPU device is visible', () => {
    const missing = missingPieces(probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD }, { ...LOADER, ...NVIDIA_LIB })));
    expect(missing).toEqual([expect.stringMatching(/^GPU kernel driver: no \/proc\/driver\/nvidia\/version/)]);
  });

  it('uses a manifest the container mounted outside the loader\'s search path, through VK_DRIVER_FILES', () => {
    const icd = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';
    const p = probeVulkan(machine({ [icd]: NVIDIA_ICD, ...KERNEL }, { ...LOADER, ...NVIDIA_LIB }));
    expect(p.driverFiles).toBe(icd);
    expect(missingPieces(p)).toEqual([]);
  });

  it('offers the container-mounted manifest first when the searched one may name a mismatched library', () => {
    const mounted = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';
    const p = probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, [mounted]: NVIDIA_ICD, '/usr/share/vulkan/icd.d/lvp_icd.json': LVP_ICD, ...KERNEL }, { ...LOADER, ...NVIDIA_LIB }));
    expect(p.driverFiles).toBeUndefined(); // the loader finds one by itself
    expect(driverFileCandidates(p)).toEqual([mounted, '/usr/share/vulkan/icd.d/nvidia_icd.json']);
  });

  it('reads only the manifests VK_DRIVER_FILES names when it is set', () => {
    const p = probeVulkan(machine({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA_ICD, '/opt/icd/lvp.json': LVP_ICD, ...KERNEL }, LOADER, { VK_DRIVER_FILES: '/opt/icd/lvp.json' }));
    expect(p.icds.map((m) => m.path)).toEqual(['/opt/icd/lvp.json']);
  });
});
