/**
 * @module What a hardware Vulkan adapter needs on Linux, checked piece by piece so `npm run gpu-check` can say
 * exactly what is missing: the loader (libvulkan.so.1), an ICD manifest (a driver's `icd.d/*.json`), the driver
 * library that manifest names, and the kernel driver's device nodes. Reads only the local filesystem.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';

/** The filesystem and environment as the probe sees them (a fake in tests). */
export interface SystemView {
  /** `ldconfig -p` output: the libraries the dynamic linker can find. */
  ldconfig(): string;
  exists(path: string): boolean;
  readFile(path: string): string;
  readdir(path: string): string[];
  /** `ldd <path>` output: which of a library's dependencies the linker resolves. */
  ldd(path: string): string;
  env: Record<string, string | undefined>;
}

export interface IcdManifest {
  path: string;
  /** False for a manifest in a folder the loader does not search by itself (a container's driver mount). */
  searched: boolean;
  /** The driver library the manifest points the loader to. */
  libraryPath: string;
  libraryFound: boolean;
  /** Libraries the driver library needs that the dynamic linker cannot find (e.g. libGLdispatch.so.0). */
  missingDeps: string[];
}

export interface VulkanProbe {
  /** Where libvulkan.so.1 was found, if anywhere. */
  loader?: string;
  /** The manifests the loader will read, then those it would not find by itself. */
  icds: IcdManifest[];
  /** Set when the only manifests are in a folder the loader does not search: export it as VK_DRIVER_FILES. */
  driverFiles?: string;
  /** First line of /proc/driver/nvidia/version, when the NVIDIA kernel driver is loaded. */
  nvidiaKernel?: string;
  /** /dev/nvidia* and /dev/dri/renderD* nodes. */
  deviceNodes: string[];
  /** glvnd libraries (GLVND_LIBS) the dynamic linker cannot find. */
  missingGlvnd: string[];
}

/**
 * NVIDIA's Vulkan ICD is libGLX_nvidia.so.0, which loads the vendor-neutral GL dispatch (glvnd) at run time. On
 * an H100 container here, with only libvulkan1 added, every manifest failed ('Could not get vkCreateInstance');
 * adding Debian's libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0 made the adapter appear.
 */
const GLVND_LIBS = ['libGLdispatch.so.0', 'libGLX.so.0', 'libEGL.so.1'];
const GLVND_PACKAGES = 'libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0';

/** The loader's default search folders (Vulkan-Loader's LoaderDriverInterface), in its order. */
const ICD_DIRS = ['/etc/xdg/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];
/** Where GPU containers mount the NVIDIA driver's files; the loader does not look there by itself. */
const EXTRA_ICD_DIRS = ['/usr/local/nvidia/share/vulkan/icd.d', '/usr/local/nvidia/etc/vulkan/icd.d'];

export const nodeSystem: SystemView = {
  ldconfig: () => {
    for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
      try {
        return execFileSync(bin, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        // try the next location
      }
    }
    return '';
  },
  exists: existsSync,
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  },
  ldd: (p) => {
    try {
      return execFileSync('ldd', [p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  },
  env: process.env,
};

/** The path ldconfig knows for a library file name, e.g. libvulkan.so.1. */
function ldconfigPath(sys: SystemView, lib: string): string | undefined {
  const line = sys.ldconfig().split('\n').find((l) => l.trim().startsWith(`${lib} `));
  return line?.split('=>')[1]?.trim();
}

function readManifests(sys: SystemView, files: readonly string[], searched: boolean): IcdManifest[] {
  return files.flatMap((path) => {
    try {
      const libraryPath = String((JSON.parse(sys.readFile(path)) as { ICD?: { library_path?: string } }).ICD?.library_path ?? '');
      if (!libraryPath) return [];
      const resolved = isAbsolute(libraryPath) ? (sys.exists(libraryPath) ? libraryPath : undefined) : ldconfigPath(sys, basename(libraryPath));
      const missingDeps = resolved ? [...sys.ldd(resolved).matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]) : [];
      return [{ path, searched, libraryPath, libraryFound: resolved !== undefined, missingDeps }];
    } catch {
      return [];
    }
  });
}

const jsonIn = (sys: SystemView, dirs: readonly string[]) => dirs.flatMap((d) => sys.readdir(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));

export function probeVulkan(sys: SystemView = nodeSystem): VulkanProbe {
  const loader = ldconfigPath(sys, 'libvulkan.so.1') ?? ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].find((p) => sys.exists(p));
  const override = (sys.env.VK_DRIVER_FILES ?? sys.env.VK_ICD_FILENAMES)?.split(':').filter(Boolean);
  const searched = readManifests(sys, override ?? jsonIn(sys, ICD_DIRS), true);
  const extra = override ? [] : readManifests(sys, jsonIn(sys, EXTRA_ICD_DIRS), false);
  const icds = [...searched, ...extra];
  const driverFiles = searched.length === 0 && extra.length ? extra.map((m) => m.path).join(':') : undefined;
  let nvidiaKernel: string | undefined;
  if (sys.exists('/proc/driver/nvidia/version')) nvidiaKernel = sys.readFile('/proc/driver/nvidia/version').split('\n')[0].trim();
  const deviceNodes = [
    ...sys.readdir('/dev').filter((f) => /^nvidia\d+$/.test(f)).map((f) => `/dev/${f}`),
    ...sys.readdir('/dev/dri').filter((f) => f.startsWith('renderD')).map((f) => `/dev/dri/${f}`),
  ];
  const missingGlvnd = icds.some((m) => /nvidia/i.test(m.libraryPath)) ? GLVND_LIBS.filter((l) => ldconfigPath(sys, l) === undefined) : [];
  return { loader, icds, driverFiles, nvidiaKernel, deviceNodes, missingGlvnd };
}

const isHardware = (m: IcdManifest) => !/lvp|lavapipe|swrast/i.test(basename(m.path)) && !/lvp|lavapipe/i.test(m.libraryPath);

/**
 * Values to try for VK_DRIVER_FILES, one hardware manifest each, those the loader does not search first: when the
 * default search fails (a manifest naming a library that is not the running driver's), one of these may work.
 */
export function driverFileCandidates(p: VulkanProbe): string[] {
  return [...p.icds.filter((m) => isHardware(m) && !m.searched), ...p.icds.filter((m) => isHardware(m) && m.searched)].map((m) => m.path);
}

/** Debian packages of the libraries NVIDIA's libGLX_nvidia.so.0 links against (GPU images often lack glvnd). */
const PACKAGE_OF: Record<string, string> = { 'libGLdispatch.so.0': 'libglvnd0', 'libX11.so.6': 'libx11-6', 'libXext.so.6': 'libxext6' };

/** One line per missing piece, each with what to do; empty when everything a hardware adapter needs is there. */
export function missingPieces(p: VulkanProbe): string[] {
  const missing: string[] = [];
  if (!p.loader) {
    missing.push('Vulkan loader: libvulkan.so.1 is not installed (apt-get install -y libvulkan1; offline: copy libvulkan1_*.deb, then dpkg -i it, or dpkg -x it / and run ldconfig)');
  }
  const hardware = p.icds.filter(isHardware);
  if (hardware.length === 0) {
    missing.push(`Vulkan driver (ICD): no hardware driver manifest in ${[...ICD_DIRS, ...EXTRA_ICD_DIRS].join(', ')}${p.icds.length ? ` (only ${p.icds.map((m) => basename(m.path)).join(', ')}, a CPU implementation)` : ''}; install the GPU driver's Vulkan part (NVIDIA: nvidia_icd.json with libGLX_nvidia.so.0) or point VK_DRIVER_FILES at its manifest`);
  } else if (!hardware.some((m) => m.libraryFound)) {
    missing.push(`Vulkan driver library: ${hardware.map((m) => `${basename(m.path)} names ${m.libraryPath}, which the dynamic linker cannot find`).join('; ')} (install the driver's user-space libraries matching the kernel driver, or add their folder to /etc/ld.so.conf.d and run ldconfig)`);
  } else if (!hardware.some((m) => m.libraryFound && m.missingDeps.length === 0)) {
    const deps = [...new Set(hardware.flatMap((m) => m.missingDeps))];
    const packages = [...new Set(deps.map((d) => PACKAGE_OF[d]).filter(Boolean))];
    missing.push(`Vulkan driver library dependencies: ${hardware[0].libraryPath} needs ${deps.join(', ')}, which the dynamic linker cannot find${packages.length ? ` (apt-get install -y ${packages.join(' ')}; offline: dpkg -x the copied .deb files / and run ldconfig)` : ''}`);
  }
  if (p.missingGlvnd.length) {
    missing.push(`GL dispatch for the NVIDIA Vulkan driver: ${p.missingGlvnd.join(', ')} not found (apt-get install -y ${GLVND_PACKAGES}; offline: dpkg -x the copied .deb files / and run ldconfig)`);
  }
  if (!p.nvidiaKernel && !p.deviceNodes.some((d) => d.startsWith('/dev/dri/'))) {
    missing.push('GPU kernel driver: no /proc/driver/nvidia/version and no /dev/dri/renderD* node (load the driver, e.g. nvidia-smi must list the GPU; in a container, pass the GPU device through)');
  }
  return missing;
}

/** A few lines describing what was found, for the report. */
export function describeProbe(p: VulkanProbe): string[] {
  return [
    `loader: ${p.loader ?? 'not found'}`,
    `ICDs: ${p.icds.length ? p.icds.map((m) => `${m.path} -> ${m.libraryPath}${m.libraryFound ? '' : ' (library not found)'}${m.searched ? '' : ' (not searched by the loader)'}`).join(', ') : 'none'}`,
    `kernel driver: ${p.nvidiaKernel ?? 'no NVIDIA driver loaded'}; device nodes: ${p.deviceNodes.join(' ') || 'none'}`,
  ];
}
