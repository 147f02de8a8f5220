import { InvalidSpecError } from '../../src/krane/driver';
import { parseContainerImage } from '../../src/krane/drivers/docker-image-ref';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('container image references', () => {
  it.each([
    ['nginx', { reference: 'nginx:latest', registry: 'docker.io', repository: 'nginx' }],
    ['library/nginx:1.27', { reference: 'library/nginx:1.27', registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['ghcr.io/acme/api:1.2.3', { reference: 'ghcr.io/acme/api:1.2.3', registry: 'ghcr.io', repository: 'acme/api', tag: '1.2.3' }],
    ['localhost:5000/app', { reference: 'localhost:5000/app:latest', registry: 'localhost:5000', repository: 'app' }],
    ['localhost/app:v1', { reference: 'localhost/app:v1', registry: 'localhost', repository: 'app', tag: 'v1' }],
    [`app@${digest}`, { reference: `app@${digest}`, registry: 'docker.io', repository: 'app', digest }],
    [`registry.example.com/team/app:2@${digest}`, { reference: `registry.example.com/team/app:2@${digest}`, registry: 'registry.example.com', tag: '2', digest }],
  ])('%s', (image, expected) => {
    expect(parseContainerImage(image)).toMatchObject(expected);
  });

  it.each([
    ['file:examples/hello-api', 'only the process driver runs'],
    ['Team/app:1', 'repository names are lower case'],
    ['registry..example/app:1', 'not a container image reference'],
    ['app:', 'not a container image reference'],
    ['app@sha256:short', 'not a container image reference'],
    ['a/b//c', 'not a container image reference'],
    [`app:${'t'.repeat(129)}`, 'not a container image reference'],
  ])('refuses %s', (image, message) => {
    expect(() => parseContainerImage(image)).toThrow(InvalidSpecError);
    expect(() => parseContainerImage(image)).toThrow(message);
  });
});
